"""Direction of a news text for one company it mentions: bullish, bearish or neutral.

Headlines often carry two companies with opposite news ("Tata Steel gains while JSW Steel
slumps"), so the headline's overall sentiment is not enough. The model (``_model.py``) adds
features conditioned on the target to the sentence features: the words of the clause that holds
the target, tagged as before or after it, its neighbours, and the finance-lexicon signals of
its own clause versus the other clauses. It is trained offline by
``scripts/train_sentiment.py`` on SEntFiN's entity-level labels (positive → bullish,
negative → bearish) plus SemEval-2017 / FiQA-2018 company-level scores; see
``models/README.md``.

The target is found in the text case-insensitively, first as the whole name, then as its
leading words ("Tata Consultancy" for "Tata Consultancy Services"), then as any of its longer
words. When it is not found, the answer falls back to the text's overall tone and
``target_found`` is False.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from chitti.errors import BadRequest
from chitti.news import _model
from chitti.news.sentiment import _load

__all__ = ["DIRECTIONS", "DirectionResult", "assess", "assess_many", "classify",
           "classify_many"]

DIRECTIONS: tuple[str, str, str] = ("bearish", "neutral", "bullish")  # model class order


@dataclass(frozen=True, slots=True)
class DirectionResult:
    """The direction for one target: ``score`` = P(bullish) − P(bearish), in [-1, 1];
    ``confidence`` = probability of ``label`` (0 for empty text)."""

    label: str
    score: float
    confidence: float
    target_found: bool

    def to_dict(self) -> dict[str, object]:
        return {"label": self.label, "score": self.score, "confidence": self.confidence,
                "target_found": self.target_found}


def _check(text: object, target: object) -> tuple[str, str]:
    if not isinstance(text, str):
        raise BadRequest(f"text must be a string, got {type(text).__name__}")
    if not isinstance(target, str) or not target.strip():
        raise BadRequest("target must be a non-empty string naming a company in the text")
    return text, target


def predict_with(pairs: Sequence[tuple[str, str]], *, suffix: str = "") -> list[DirectionResult]:
    """Score already-checked (text, target) pairs (``suffix="_holdout"``: hold-out weights)."""
    model = _load("direction" + suffix)
    rows, found, where, pieces = [], [], [], []
    out: list[DirectionResult | None] = [None] * len(pairs)
    for i, (text, target) in enumerate(pairs):
        if not text.strip():
            out[i] = DirectionResult("neutral", 0.0, 0.0, False)
            continue
        parsed = _model.parse(text)
        extra = _model.target_features(parsed, target)
        rows.append(model.indices(parsed, extra))
        pieces.append(model.piece_ids(parsed))
        found.append(extra != ["T:notfound"])
        where.append(i)
    if rows:
        probs = model.proba(rows, pieces if model.has_pieces else None)
        labels = probs.argmax(axis=1).tolist()
        scores = (probs[:, 2] - probs[:, 0]).tolist()
        for n, i in enumerate(where):
            k = labels[n]
            out[i] = DirectionResult(DIRECTIONS[k], round(scores[n], 6),
                                     round(float(probs[n, k]), 6), found[n])
    return [r if r is not None else DirectionResult("neutral", 0.0, 0.0, False) for r in out]


def assess(text: str, target: str) -> DirectionResult:
    """Return the direction of ``text`` for ``target`` with its score and confidence.

    Raises ``BadRequest`` when ``text`` is not a string or ``target`` is not a non-empty string.
    """
    return predict_with([_check(text, target)])[0]


def assess_many(pairs: Iterable[tuple[str, str]]) -> list[DirectionResult]:
    """Return ``assess(text, target)`` for each (text, target) pair, in order, in one batch."""
    if isinstance(pairs, str | bytes):
        raise BadRequest("pairs must be a list of (text, target) tuples")
    checked = []
    for item in pairs:
        if not isinstance(item, tuple | list) or len(item) != 2:
            raise BadRequest("each pair must be a (text, target) tuple")
        checked.append(_check(item[0], item[1]))
    return predict_with(checked)


def classify(text: str, target: str) -> str:
    """Return "bullish", "bearish" or "neutral": the news in ``text`` for company ``target``."""
    return assess(text, target).label


def classify_many(pairs: Iterable[tuple[str, str]]) -> list[str]:
    """Return ``classify(text, target)`` for each (text, target) pair, in order."""
    return [r.label for r in assess_many(pairs)]
