"""Print accuracy and macro-F1 of the news sentiment and direction models per data set.

Run ``python -m chitti.news.evaluate``. It needs the labelled sets in ``../shared/data/nlp``
(not part of the project; see ``nlpdata``) and exits with status 2 when they are missing.

What it measures: the ``*_holdout`` weights, trained by ``scripts/train_sentiment.py`` on every
visible row except the fixed 20% hold-out split of ``nlpdata.is_holdout`` (a hash of the text,
so the split is grouped by sentence / headline), scored on that hold-out split through the
same code paths as ``analyze_many`` and ``direction.classify``. The shipped weights are
trained on all visible rows and are not scored here (they have seen these rows). The 5-fold
cross-validation figures recorded at training time are printed as well.

Label definitions (``nlpdata``): Financial PhraseBank 50Agree, deduplicated; SEntFiN headline
label = polar vote of the entity labels (a tie goes to the polar entity named first);
SEntFiN entity direction: positive → bullish, negative → bearish, neutral → neutral.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from chitti.news import direction, nlpdata, sentiment

__all__ = ["Scores", "evaluate", "main", "scores"]

_TO_DIRECTION = {"positive": "bullish", "negative": "bearish", "neutral": "neutral"}

Scores = dict[str, float]


def scores(gold: Sequence[str], pred: Sequence[str]) -> Scores:
    """Return ``{"n", "accuracy", "macro_f1"}`` over the classes present in ``gold``."""
    g, p = np.asarray(gold), np.asarray(pred)
    if len(g) == 0:
        return {"n": 0, "accuracy": float("nan"), "macro_f1": float("nan")}
    f1s = []
    for c in np.unique(g):
        tp = float(np.sum((g == c) & (p == c)))
        prec = tp / max(float(np.sum(p == c)), 1.0)
        rec = tp / float(np.sum(g == c))
        f1s.append(0.0 if tp == 0 else 2 * prec * rec / (prec + rec))
    return {"n": len(g), "accuracy": float(np.mean(g == p)), "macro_f1": float(np.mean(f1s))}


def evaluate(data_dir: Path | None = None, *, suffix: str = "_holdout") -> dict[str, Scores]:
    """Score the (hold-out) models on the hold-out rows of each labelled set."""
    out: dict[str, Scores] = {}
    fpb = [r for r in nlpdata.load_phrasebank(data_dir) if nlpdata.is_holdout(r.text)]
    pred = sentiment.predict_with([r.text for r in fpb], suffix=suffix)
    out["financial_phrasebank_50agree"] = scores([r.label for r in fpb],
                                                 [s.label for s in pred])
    fpb_all = {r.text for r in nlpdata.load_phrasebank(data_dir, agreement="All")}
    sub = [(r, s) for r, s in zip(fpb, pred, strict=True) if r.text in fpb_all]
    out["financial_phrasebank_allagree"] = scores([r.label for r, _ in sub],
                                                  [s.label for _, s in sub])
    heads = [h for h in nlpdata.load_sentfin(data_dir) if nlpdata.is_holdout(h.title)]
    pred = sentiment.predict_with([h.title for h in heads], suffix=suffix)
    out["sentfin_headline"] = scores([h.label for h in heads], [s.label for s in pred])
    out["sentfin_headline_majority_reading"] = scores(
        [nlpdata.sentfin_majority_label(dict(h.decisions)) for h in heads],
        [s.label for s in pred])
    pairs = [(h.title, e, lab) for h in heads for e, lab in h.decisions]
    dpred = direction.predict_with([(t, e) for t, e, _ in pairs], suffix=suffix)
    out["sentfin_entity_direction"] = scores([_TO_DIRECTION[lab] for _, _, lab in pairs],
                                             [d.label for d in dpred])
    return out


def _print_table(title: str, table: dict[str, Scores]) -> None:
    print(title)
    for name, s in table.items():
        print(f"  {name:38s} n={int(s['n']):5d}  accuracy={s['accuracy']:.4f}  "
              f"macro_f1={s['macro_f1']:.4f}")


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m chitti.news.evaluate",
                                 description="Accuracy and macro-F1 of the news models.")
    ap.add_argument("--data-dir", type=Path, default=None,
                    help="labelled sets (default: ../shared/data/nlp next to the repository)")
    args = ap.parse_args(argv)
    data_dir = args.data_dir or nlpdata.default_data_dir()
    if data_dir is None or not Path(data_dir).is_dir():
        print("labelled NLP data not found (expected ../shared/data/nlp next to the "
              "repository; pass --data-dir); nothing to evaluate", file=sys.stderr)
        return 2
    _print_table("Fixed hold-out split (20% by text hash; *_holdout weights, "
                 "trained without these rows):", evaluate(data_dir))
    report = sentiment.MODEL_DIR / "training_report.json"
    if report.is_file():
        rec = json.loads(report.read_text())
        _print_table(f"Cross-validation at training ({rec.get('cv_method', '?')}, "
                     f"{rec.get('date', '?')}):", rec.get("cv", {}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
