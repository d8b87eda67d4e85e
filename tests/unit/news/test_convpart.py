"""The convolutional part of the headline model (``_model.ConvPart``) against a plain NumPy
convolution written from its definition, on the shipped weights."""

from __future__ import annotations

import numpy as np
import pytest

from chitti.news import _model, sentiment


@pytest.fixture(scope="module")
def conv() -> _model.ConvPart:
    part = sentiment._load("headline").conv
    assert part is not None, "the shipped headline model has no convolutional part"
    return part


def reference(conv: _model.ConvPart, emb: np.ndarray, kernel: np.ndarray,
              pieces: list[int]) -> np.ndarray:
    """Scores of one text: embeddings, zero-padded width-3 convolution, ReLU, max, linear."""
    if not pieces:
        return np.zeros(conv.out.shape[1])
    x = emb[conv.rows[pieces]].astype(np.float64)
    padded = np.vstack([np.zeros(x.shape[1]), x, np.zeros(x.shape[1])])
    h = np.stack([conv.bias + padded[t:t + 3].reshape(-1) @ kernel.reshape(-1, kernel.shape[2])
                  for t in range(len(pieces))])
    return np.maximum(h, 0.0).max(axis=0) @ conv.out


def test_conv_scores_equal_a_plain_convolution(conv: _model.ConvPart) -> None:
    with np.load(sentiment.MODEL_DIR / "headline.npz") as z:
        emb, kernel = z["conv_emb"].astype(np.float32), z["conv_kernel"].astype(np.float64)
    model = sentiment._load("headline")
    texts = ["Infosys Q2 profit jumps 20%, beats estimates", "SEBI penalises Karvy for fraud",
             "Sensex", "12 34", "Tata Motors, Maruti slip as auto sales fall; Bajaj Auto gains"]
    docs = [model.piece_ids(_model.parse(t)) for t in texts]
    rng = np.random.default_rng(1)
    docs += [rng.integers(0, len(conv.rows), size=n).tolist() for n in (1, 2, 3, 17, 60)]
    lengths = np.array([len(d) for d in docs])
    flat = np.array([j for d in docs for j in d], dtype=np.int64)
    got = conv.scores(flat, lengths)
    want = np.stack([reference(conv, emb, kernel, d) for d in docs])
    assert lengths[3] == 0  # numbers carry no pieces: the part adds nothing
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)
    assert np.abs(want).max() > 0.1  # the part does contribute


def test_pieces_training_never_saw_share_one_row(conv: _model.ConvPart) -> None:
    unseen = np.flatnonzero(conv.rows == 0)
    assert 0 < len(unseen) < len(conv.rows)
    a = conv.scores(np.array([unseen[0], unseen[-1]]), np.array([1, 1]))
    np.testing.assert_array_equal(a[0], a[1])
