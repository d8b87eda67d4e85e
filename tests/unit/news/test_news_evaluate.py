"""``python -m chitti.news.evaluate`` in a user's clone: without the labelled sets (which the
project may not ship) it prints the recorded figures and where to get the data; with sets
laid out as it says, it scores the hold-out rows (checked against scikit-learn's metrics)."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sklearn.metrics import accuracy_score, f1_score
from tests.helpers import REPO_ROOT

from chitti.news import direction, evaluate, nlpdata, sentiment

LABELS = ("positive", "negative", "neutral")
SENTENCES = [
    ("Operating profit rose to EUR {n} mn from EUR 2.1 mn a year earlier .", "positive"),
    ("Net sales fell by {n} % as demand weakened across the region .", "negative"),
    ("The company will hold its annual meeting on {n} March in Helsinki .", "neutral"),
    ("Pre-tax loss widened to EUR {n} mn from a profit a year before .", "negative"),
    ("The order is worth about EUR {n} mn and lifts the backlog to a record .", "positive"),
    ("The shares are traded on the main list under the code ABC{n} .", "neutral"),
]
HEADLINES = [
    ("Infosys shares jump {n}% after profit beats estimates", {"Infosys": "positive"}),
    ("Yes Bank slumps {n}% as bad loans rise", {"Yes Bank": "negative"}),
    ("Sensex ends flat; Wipro gains {n}%, TCS slips", {"Wipro": "positive", "TCS": "negative"}),
    ("RBI keeps repo rate unchanged for the {n}th time", {"RBI": "neutral"}),
]


def _write_sets(root: Path, *, sentfin: bool = True) -> None:
    fpb = root / "FinancialPhraseBank-v1.0"
    fpb.mkdir(parents=True)
    lines = [f"{text.format(n=n)}@{label}" for n in range(1, 41) for text, label in SENTENCES]
    (fpb / "Sentences_50Agree.txt").write_text("\n".join(lines) + "\n", encoding="latin-1")
    (fpb / "Sentences_AllAgree.txt").write_text("\n".join(lines[::2]) + "\n",
                                                encoding="latin-1")
    if not sentfin:
        return
    (root / "SEntFiN").mkdir()
    with (root / "SEntFiN" / "SEntFiN-v1.1.csv").open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["S No.", "Title", "Decisions", "Words"])
        for n in range(1, 61):
            for k, (title, decisions) in enumerate(HEADLINES):
                text = title.format(n=n)
                out.writerow([n * 10 + k, text, json.dumps(decisions), len(text.split())])


def _expected(root: Path) -> dict[str, dict[str, float]]:
    """Accuracy and macro-F1 per set from scikit-learn, on the same hold-out rows."""
    fpb = [r for r in nlpdata.load_phrasebank(root) if nlpdata.is_holdout(r.text)]
    heads = [h for h in nlpdata.load_sentfin(root) if nlpdata.is_holdout(h.title)]
    said = [s.label for s in sentiment.predict_with([r.text for r in fpb], suffix="_holdout")]
    said_heads = [s.label for s in sentiment.predict_with([h.title for h in heads],
                                                          suffix="_holdout")]
    pairs = [(h.title, e, lab) for h in heads for e, lab in h.decisions]
    to_direction = {"positive": "bullish", "negative": "bearish", "neutral": "neutral"}
    gold_dir = [to_direction[lab] for _, _, lab in pairs]
    said_dir = [d.label for d in direction.predict_with([(t, e) for t, e, _ in pairs],
                                                        suffix="_holdout")]

    def both(gold: list[str], pred: list[str]) -> dict[str, float]:
        labels = sorted(set(gold))
        return {"n": len(gold), "accuracy": accuracy_score(gold, pred),
                "macro_f1": f1_score(gold, pred, labels=labels, average="macro",
                                     zero_division=0)}

    return {"financial_phrasebank_50agree": both([r.label for r in fpb], said),
            "sentfin_headline": both([h.label for h in heads], said_heads),
            "sentfin_entity_direction": both(gold_dir, said_dir)}


def test_sets_laid_out_as_documented_are_scored_on_their_hold_out_rows(
        tmp_path: Path) -> None:
    _write_sets(tmp_path)
    got = evaluate.evaluate(tmp_path)
    assert set(got) == {"financial_phrasebank_50agree", "financial_phrasebank_allagree",
                        "sentfin_headline", "sentfin_headline_majority_reading",
                        "sentfin_entity_direction"}
    for name, want in _expected(tmp_path).items():
        assert got[name]["n"] == want["n"] > 10, name
        assert got[name]["accuracy"] == pytest.approx(want["accuracy"], abs=1e-12), name
        assert got[name]["macro_f1"] == pytest.approx(want["macro_f1"], abs=1e-12), name


def test_a_missing_set_is_left_out_and_its_source_named(tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]
                                                        ) -> None:
    _write_sets(tmp_path, sentfin=False)
    assert evaluate.main(["--data-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "financial_phrasebank_50agree" in out.split("Cross-validation")[0]
    assert "sentfin_headline " not in out.split("Cross-validation")[0]
    assert "SEntFiN-v1.1.csv" in out and "Kaggle" in out
    assert "Hugging Face" not in out and "huggingface.co" not in out  # FPB is there


def test_a_clone_without_the_data_prints_the_recorded_figures_and_how_to_get_it(
        tmp_path: Path) -> None:
    # A copy of the package with no ../shared beside it: the default data directory of a
    # user's clone, from another working directory.
    clone = tmp_path / "clone"
    shutil.copytree(REPO_ROOT / "src" / "chitti", clone / "src" / "chitti",
                    ignore=shutil.ignore_patterns("__pycache__"))
    # not measured by coverage: its copies of the sources would count as more code
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("COVERAGE_")},
           "PYTHONPATH": str(clone / "src")}
    work = tmp_path / "elsewhere"
    work.mkdir()
    done = subprocess.run([sys.executable, "-m", "chitti.news.evaluate"], cwd=work, env=env,
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    recorded = json.loads((sentiment.MODEL_DIR / "training_report.json").read_text())["cv"]
    for name, figures in recorded.items():
        assert f"{name}" in done.stdout and f"accuracy={figures['accuracy']:.4f}" in done.stdout
    for _name, path, source in evaluate.SOURCES:
        assert str(path) in done.stdout and source in done.stdout
    assert "--data-dir DIR" in done.stdout
    wrong = subprocess.run([sys.executable, "-m", "chitti.news.evaluate", "--data-dir",
                            str(tmp_path / "nowhere")], cwd=work, env=env,
                           capture_output=True, text=True, timeout=300, check=False)
    assert wrong.returncode == 2 and "not a directory" in wrong.stderr
