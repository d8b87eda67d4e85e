"""The compute packages import in any order (the catalogue loads lazily, on first use)."""

from __future__ import annotations

import subprocess
import sys

import pytest


@pytest.mark.parametrize("first", ["chitti.compute.candles", "chitti.compute.indicators",
                                   "chitti.compute.backtest", "chitti.compute.conditions",
                                   "chitti.compute.features", "chitti.compute.ml",
                                   "chitti.compute.portfolio", "chitti.compute.risk",
                                   "chitti.signals.patterns"])
def test_each_package_can_be_imported_first(first: str) -> None:
    code = (f"import {first}\nfrom chitti.compute.indicators import catalog\n"
            "print(sum(s.group == 'pattern' for s in catalog()))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "61"
