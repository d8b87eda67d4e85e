"""Loaders of the third-party labelled financial-sentiment sets (training and evaluation only).

The sets live outside the project, in ``../shared/data/nlp`` next to the repository (see that
directory's ``SOURCES.md`` for provenance and licences); they are never copied into the
project. A user's clone does not have them: :func:`default_data_dir` then returns ``None``,
and the tests and the evaluator that need them skip with a message. The shipped model weights
do not need them.

Label conventions (shared by ``scripts/train_sentiment.py`` and ``chitti.news.evaluate``):

- Financial PhraseBank: the ``50Agree`` file (every sentence, majority label), deduplicated on
  the exact sentence text (the higher-agreement files are subsets of it).
- SEntFiN headline label (:func:`sentfin_headline_label`): the entity labels decide by their
  polar votes: positive when positive entities outnumber negative ones, negative when the
  reverse holds, neutral when no entity is polar. A tie between polar votes goes to the
  polar entity named first in the headline (its lead). So
  ``{"Aurobindo Pharma": "positive", "MSCI": "neutral", "India index": "neutral"}`` is
  positive (neutral entities are bystanders, not votes against) and "Gold shines on seasonal
  demand; Silver dull" ``{"Gold": "positive", "Silver": "negative"}`` is positive.
- Hold-out split (:func:`is_holdout`): a fixed 20% of the rows, chosen by a hash of the
  normalised text (so every entity row of one headline falls on the same side, and duplicate
  sentences cannot straddle the split). ``chitti.news.evaluate`` and the tests score the
  ``*_holdout`` weights, trained without those rows, on them.
- SemEval-2017 task 5 and FiQA-2018 task 1 carry scores in [-1, 1]; :func:`score_label` maps
  them to labels with a dead band of ±0.1 around zero.
"""

from __future__ import annotations

import csv
import json
import zlib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "LABELS",
    "EntityRow",
    "LabelledText",
    "SentfinHeadline",
    "default_data_dir",
    "is_holdout",
    "load_fiqa",
    "load_phrasebank",
    "load_semeval",
    "load_sentfin",
    "score_label",
    "sentfin_headline_label",
    "sentfin_majority_label",
]

LABELS: tuple[str, str, str] = ("negative", "neutral", "positive")
_SCORE_DEAD_BAND = 0.1


@dataclass(frozen=True, slots=True)
class LabelledText:
    """One sentence or headline with its sentence-level label."""

    text: str
    label: str


@dataclass(frozen=True, slots=True)
class EntityRow:
    """One (headline, target) pair with the target's label."""

    text: str
    target: str
    label: str


@dataclass(frozen=True, slots=True)
class SentfinHeadline:
    """One SEntFiN headline with its entity → label mapping (in the published order)."""

    title: str
    decisions: tuple[tuple[str, str], ...]

    @property
    def label(self) -> str:
        return sentfin_headline_label(dict(self.decisions), self.title)


def default_data_dir() -> Path | None:
    """Return ``../shared/data/nlp`` relative to the repository, or ``None`` when missing."""
    repo = Path(__file__).resolve().parents[3]
    path = repo.parent / "shared" / "data" / "nlp"
    return path if path.is_dir() else None


def _root(data_dir: Path | None) -> Path:
    root = data_dir if data_dir is not None else default_data_dir()
    if root is None or not Path(root).is_dir():
        raise FileNotFoundError(
            "labelled NLP data not found: expected ../shared/data/nlp next to the repository "
            "(it is not part of the project; pass data_dir=... to point elsewhere)"
        )
    return Path(root)


def load_phrasebank(data_dir: Path | None = None, *, agreement: str = "50") -> list[LabelledText]:
    """Return Financial PhraseBank sentences for one agreement level, deduplicated on text.

    ``agreement`` is ``"50"``, ``"66"``, ``"75"`` or ``"All"``. A sentence listed twice keeps
    its most frequent label (the first one on a tie).
    """
    if agreement not in ("50", "66", "75", "All"):
        raise ValueError(f"agreement must be one of 50, 66, 75, All; got {agreement!r}")
    path = _root(data_dir) / "FinancialPhraseBank-v1.0" / f"Sentences_{agreement}Agree.txt"
    votes: dict[str, Counter[str]] = {}
    for line in path.read_text(encoding="latin-1").splitlines():
        text, sep, label = line.strip().rpartition("@")
        if not sep or label not in LABELS:
            continue
        votes.setdefault(text.strip(), Counter())[label] += 1
    return [LabelledText(text, c.most_common(1)[0][0]) for text, c in votes.items()]


def sentfin_headline_label(decisions: dict[str, str], title: str = "") -> str:
    """Return the headline label of SEntFiN entity labels (polar votes; see module doc)."""
    values = list(decisions.values())
    pos, neg = values.count("positive"), values.count("negative")
    if pos > neg:
        return "positive"
    if neg > pos:
        return "negative"
    if pos == 0:
        return "neutral"
    lowered = title.lower()
    polar = [(lowered.find(e.lower()), i, lab) for i, (e, lab) in enumerate(decisions.items())
             if lab != "neutral"]
    polar = [(p if p >= 0 else len(lowered), i, lab) for p, i, lab in polar]
    return min(polar)[2]


def is_holdout(text: str) -> bool:
    """Return True for the fixed 20% hold-out rows (by a CRC-32 of the normalised text)."""
    key = " ".join(text.lower().split()).encode("utf-8")
    return zlib.crc32(key) % 5 == 0


def sentfin_majority_label(decisions: dict[str, str]) -> str:
    """Return the plain majority of all entity labels (ties → neutral); a second reading."""
    counts = Counter(decisions.values()).most_common()
    if len(counts) > 1 and counts[0][1] == counts[1][1]:
        return "neutral"
    return counts[0][0]


def load_sentfin(data_dir: Path | None = None) -> list[SentfinHeadline]:
    """Return SEntFiN headlines, deduplicated on the title (the first row of a title wins)."""
    path = _root(data_dir) / "SEntFiN" / "SEntFiN-v1.1.csv"
    out: dict[str, SentfinHeadline] = {}
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            title = (row.get("Title") or "").strip()
            try:
                decisions = json.loads(row.get("Decisions") or "{}")
            except json.JSONDecodeError:
                continue
            pairs = tuple(
                (str(k), str(v)) for k, v in decisions.items() if str(v) in LABELS and str(k)
            )
            if title and pairs and title not in out:
                out[title] = SentfinHeadline(title, pairs)
    return list(out.values())


def score_label(score: float) -> str:
    """Map a sentiment score in [-1, 1] to a label (dead band ±0.1 → neutral)."""
    if score > _SCORE_DEAD_BAND:
        return "positive"
    if score < -_SCORE_DEAD_BAND:
        return "negative"
    return "neutral"


def load_semeval(data_dir: Path | None = None) -> list[EntityRow]:
    """Return SemEval-2017 task 5 headlines (train + test) as (title, company, label) rows."""
    base = _root(data_dir) / "SemEval2017-Task5-headlines"
    rows: list[EntityRow] = []
    for name, key in (
        ("Headline_Trainingdata.json", "sentiment"),
        ("Headlines_Testdata_withscores.json", "sentiment score"),
    ):
        for item in json.loads((base / name).read_text(encoding="utf-8")):
            title, company = str(item.get("title", "")).strip(), str(item.get("company", ""))
            if title and key in item:
                rows.append(EntityRow(title, company, score_label(float(item[key]))))
    return rows


def load_fiqa(data_dir: Path | None = None) -> list[EntityRow]:
    """Return FiQA-2018 task 1 headlines as (sentence, target, label) rows."""
    path = _root(data_dir) / "FiQA-2018-task1" / "task1_headline_ABSA_train.json"
    rows: list[EntityRow] = []
    for item in json.loads(path.read_text(encoding="utf-8")).values():
        sentence = str(item.get("sentence", "")).strip()
        for info in item.get("info", []):
            label = score_label(float(info["sentiment_score"]))
            rows.append(EntityRow(sentence, str(info["target"]), label))
    return rows
