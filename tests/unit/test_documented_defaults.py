"""Documented commands and defaults that must hold in a user's clone: the state directory is
the same from any working directory (so ``chitti status`` elsewhere finds the running
system), and the README's IPC timeout says what the gateway's routes really wait."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from chitti.config import PROJECT_ROOT, Settings

README = (PROJECT_ROOT / "README.md").read_text()
GATEWAY = PROJECT_ROOT / "src" / "chitti" / "gateway"


def _var_path(cwd: Path, **env: str) -> str:
    clean = {k: v for k, v in os.environ.items() if k != "CHITTI_VAR_DIR"}
    done = subprocess.run(
        [sys.executable, "-c", "from chitti.config import Settings; print(Settings().var_path)"],
        cwd=cwd, env={**clean, **env}, capture_output=True, text=True, timeout=60, check=True)
    return done.stdout.strip()


def test_the_state_directory_is_the_projects_from_any_directory(tmp_path: Path) -> None:
    assert _var_path(PROJECT_ROOT) == _var_path(tmp_path) == str(PROJECT_ROOT / "var")
    assert _var_path(tmp_path, CHITTI_VAR_DIR=str(tmp_path / "mine")) == str(tmp_path / "mine")
    # a relative value is the user's own choice, taken from where the command runs
    assert _var_path(tmp_path, CHITTI_VAR_DIR="rel") == str(tmp_path / "rel")


def test_status_from_another_directory_looks_where_chitti_up_runs(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "CHITTI_VAR_DIR"}
    done = subprocess.run([sys.executable, "-m", "chitti.cli", "status"], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=60, check=False)
    if done.returncode == 1 and "not running" in done.stdout:
        assert str(PROJECT_ROOT / "var" / "run") in done.stdout
    else:  # a developer's system is up in the project: status found it from elsewhere
        assert "supervisor pid" in done.stdout, done.stdout + done.stderr


def _route_timeouts() -> set[float]:
    """Every timeout a gateway module passes to an IPC call, literal or named constant."""
    found: set[float] = set()
    for path in GATEWAY.rglob("*.py"):
        source = path.read_text()
        constants = {name: float(value) for name, value in
                     re.findall(r"^([A-Z_]+_S)\s*=\s*([\d.]+)", source, re.MULTILINE)}
        for value in re.findall(r"\btimeout=([A-Z_]+_S|[\d.]+)\b", source):
            found.add(constants[value] if value in constants else float(value))
    return found


def test_the_readme_states_every_route_timeout() -> None:
    (row,) = [line for line in README.splitlines() if line.startswith("| `CHITTI_IPC_TIMEOUT_S`")]
    default = Settings.model_fields["ipc_timeout_s"].default
    assert f"| `{default:g}` |" in row
    timeouts = _route_timeouts()
    assert {120.0, 300.0, 600.0, 3600.0} <= timeouts  # the scan finds what the routes pass
    for seconds in sorted(timeouts):
        assert re.search(rf"\b{seconds:g} s\b", row), f"{seconds:g} s is not in: {row}"


@pytest.mark.parametrize("command", ["python -m chitti.signals.evaluate",
                                     "python -m chitti.news.evaluate", "chitti warm"])
def test_the_readme_documents_the_commands_tested_here(command: str) -> None:
    assert command in README.replace("`", "").replace("[", " [")
