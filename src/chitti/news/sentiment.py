"""Sentence-level sentiment of financial news text (headlines and sentences).

Linear models over word, character and finance-lexicon features (see ``_model.py``) trained
offline by ``scripts/train_sentiment.py`` (provenance and cross-validation figures:
``models/README.md``). A text is routed by register: full sentences (a final full stop, or
24 tokens and more) to a model trained on Financial PhraseBank, headlines to one trained on
SEntFiN, SemEval-2017 task 5 and FiQA-2018 task 1 headlines; the headline model adds a small
convolutional network over word pieces (``_model.ConvPart``), distilled from a fine-tuned
transformer at training time. Inference is NumPy and numba only: well under a millisecond per
headline, and batched calls share the work.

Conventions:

- ``probabilities`` are calibrated softmax outputs for (negative, neutral, positive);
- ``label`` is the most probable class;
- ``score`` is P(positive) − P(negative), in [-1, 1]; its sign agrees with a polar label;
- ``confidence`` is the probability of ``label`` (between 1/3 and 1); for empty text the
  result is neutral with score 0 and confidence 0 (nothing to judge).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from chitti.errors import BadRequest
from chitti.news import _model

__all__ = ["Sentiment", "analyze", "analyze_many"]

MODEL_DIR = Path(__file__).resolve().parent / "models"
LABELS: tuple[str, str, str] = _model.CLASSES
_FIELDS = ("label", "score", "confidence")


@dataclass(frozen=True, slots=True)
class Sentiment(Mapping[str, object]):
    """The sentiment of one text; also readable as a mapping ``{label, score, confidence}``."""

    label: str
    score: float
    confidence: float

    def __getitem__(self, key: str) -> object:
        if key not in _FIELDS:
            raise KeyError(key)
        return getattr(self, key)

    def __iter__(self) -> Iterator[str]:
        return iter(_FIELDS)

    def __len__(self) -> int:
        return len(_FIELDS)

    def to_dict(self) -> dict[str, object]:
        return {"label": self.label, "score": self.score, "confidence": self.confidence}


_EMPTY = Sentiment("neutral", 0.0, 0.0)


@lru_cache(maxsize=4)
def _load(name: str) -> _model.LinearModel:
    path = MODEL_DIR / f"{name}.npz"
    if not path.is_file():
        raise FileNotFoundError(
            f"model weights {path} are missing; run `python scripts/train_sentiment.py`"
        )
    return _model.LinearModel.load(path)


def _check(text: object, where: str) -> str:
    if not isinstance(text, str):
        raise BadRequest(f"{where} must be a string, got {type(text).__name__}")
    return text


def _results(probs: np.ndarray) -> list[Sentiment]:
    labels = probs.argmax(axis=1)
    scores = probs[:, 2] - probs[:, 0]
    conf = probs[np.arange(len(probs)), labels]
    return [
        Sentiment(LABELS[k], round(float(s), 6), round(float(c), 6))
        for k, s, c in zip(labels.tolist(), scores.tolist(), conf.tolist(), strict=True)
    ]


def predict_with(texts: Sequence[str], *, suffix: str = "") -> list[Sentiment]:
    """Score already-checked texts, each with the model of its register.

    Full sentences go to ``sentence{suffix}.npz``, headlines to ``headline{suffix}.npz``;
    ``suffix="_holdout"`` selects the weights trained without the hold-out rows.
    """
    out: list[Sentiment] = [_EMPTY] * len(texts)
    batches: dict[str, tuple[list[int], list[_model.Parsed]]] = {}
    for i, text in enumerate(texts):
        if text.strip():
            parsed = _model.parse(text)
            name = "sentence" if _model.is_sentence(parsed) else "headline"
            where, docs = batches.setdefault(name, ([], []))
            where.append(i)
            docs.append(parsed)
    for name, (where, docs) in batches.items():
        model = _load(name + suffix)
        pieces = [model.piece_ids(p) for p in docs] if model.has_pieces else None
        probs = model.proba([model.indices(p) for p in docs], pieces)
        for i, res in zip(where, _results(probs), strict=True):
            out[i] = res
    return out


def analyze(text: str) -> Sentiment:
    """Return the sentiment of one headline or sentence.

    Raises ``BadRequest`` when ``text`` is not a string. Empty text gives a neutral result
    with confidence 0.
    """
    return predict_with([_check(text, "text")])[0]


def analyze_many(texts: Iterable[str]) -> list[Sentiment]:
    """Return the sentiment of each text, in order; the same results as ``analyze`` per text.

    Raises ``BadRequest`` when ``texts`` is a single string or holds a non-string.
    """
    if isinstance(texts, str | bytes) or not isinstance(texts, Iterable):
        raise BadRequest("texts must be a list of strings (use analyze() for one text)")
    checked = [_check(t, f"texts[{i}]") for i, t in enumerate(texts)]
    return predict_with(checked)
