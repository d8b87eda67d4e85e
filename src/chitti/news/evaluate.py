"""Print accuracy and macro-F1 of the news sentiment and direction models per data set.

Run ``python -m chitti.news.evaluate [--data-dir DIR]``. The labelled sets are third-party
data under their own licences and are not part of the project (see ``nlpdata``): the
developers' checkout has them in ``../shared/data/nlp``; anyone else downloads them (where
from: :data:`SOURCES`, printed by the command) into a directory laid out as
``FinancialPhraseBank-v1.0/Sentences_50Agree.txt`` and ``SEntFiN/SEntFiN-v1.1.csv``, and
passes it as ``--data-dir``. Each set found is scored; without any, the command prints the
cross-validation figures recorded when the shipped weights were trained
(``models/training_report.json``, which ships) and how to get the data.

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

__all__ = ["SOURCES", "Scores", "evaluate", "main", "scores"]

_TO_DIRECTION = {"positive": "bullish", "negative": "bearish", "neutral": "neutral"}

Scores = dict[str, float]

_PHRASEBANK = Path("FinancialPhraseBank-v1.0") / "Sentences_50Agree.txt"
_PHRASEBANK_ALL = Path("FinancialPhraseBank-v1.0") / "Sentences_AllAgree.txt"
_SENTFIN = Path("SEntFiN") / "SEntFiN-v1.1.csv"

#: Each labelled set: its name and licence, where it goes under ``--data-dir``, and where
#: it is published (the project may not redistribute them).
SOURCES: tuple[tuple[str, Path, str], ...] = (
    ("Financial PhraseBank v1.0 (Malo et al. 2014; CC BY-NC-SA 3.0)", _PHRASEBANK,
     "https://huggingface.co/datasets/takala/financial_phrasebank: unzip "
     "data/FinancialPhraseBank-v1.0.zip into DIR"),
    ("SEntFiN 1.0 (Sinha et al. 2022, doi:10.1002/asi.24634; research use)", _SENTFIN,
     "Kaggle, 'Aspect based Sentiment Analysis for Financial News' (Ankur Sinha): put "
     "SEntFiN-v1.1.csv into DIR/SEntFiN/"),
)


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
    """Score the (hold-out) models on the hold-out rows of each labelled set found in
    ``data_dir`` (default: ``../shared/data/nlp``); a set that is missing is left out."""
    root = Path(data_dir) if data_dir is not None else nlpdata.default_data_dir()
    out: dict[str, Scores] = {}
    if root is None:
        return out
    if (root / _PHRASEBANK).is_file():
        fpb = [r for r in nlpdata.load_phrasebank(root) if nlpdata.is_holdout(r.text)]
        pred = sentiment.predict_with([r.text for r in fpb], suffix=suffix)
        out["financial_phrasebank_50agree"] = scores([r.label for r in fpb],
                                                     [s.label for s in pred])
        if (root / _PHRASEBANK_ALL).is_file():
            fpb_all = {r.text for r in nlpdata.load_phrasebank(root, agreement="All")}
            sub = [(r, s) for r, s in zip(fpb, pred, strict=True) if r.text in fpb_all]
            out["financial_phrasebank_allagree"] = scores([r.label for r, _ in sub],
                                                          [s.label for _, s in sub])
    if (root / _SENTFIN).is_file():
        out |= _sentfin(root, suffix)
    return out


def _sentfin(root: Path, suffix: str) -> dict[str, Scores]:
    out = {}
    heads = [h for h in nlpdata.load_sentfin(root) if nlpdata.is_holdout(h.title)]
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


def _how_to_get(root: Path | None, missing: list[tuple[str, Path, str]]) -> None:
    where = root if root is not None else "DIR"
    print(f"\nLabelled sets not found{f' in {root}' if root else ''} (third-party data the "
          "project may not redistribute). To score the models on them, download:")
    for name, path, source in missing:
        print(f"  {name}\n    {source}\n    expected at {where}/{path}")
    print("then run: python -m chitti.news.evaluate --data-dir DIR")


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m chitti.news.evaluate",
                                 description="Accuracy and macro-F1 of the news models.")
    ap.add_argument("--data-dir", type=Path, default=None,
                    help="labelled sets (default: ../shared/data/nlp next to the repository, "
                         "in the developers' checkout)")
    args = ap.parse_args(argv)
    if args.data_dir is not None and not args.data_dir.is_dir():
        print(f"--data-dir {args.data_dir}: not a directory", file=sys.stderr)
        _how_to_get(None, list(SOURCES))
        return 2
    root = args.data_dir or nlpdata.default_data_dir()
    table = evaluate(root)
    if table:
        _print_table("Fixed hold-out split (20% by text hash; *_holdout weights, "
                     "trained without these rows):", table)
    report = sentiment.MODEL_DIR / "training_report.json"
    if report.is_file():
        rec = json.loads(report.read_text())
        _print_table(f"Cross-validation recorded when the shipped weights were trained "
                     f"({rec.get('cv_method', '?')}, {rec.get('date', '?')}):",
                     rec.get("cv", {}))
    missing = [s for s in SOURCES if root is None or not (root / s[1]).is_file()]
    if missing:
        _how_to_get(root, missing)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
