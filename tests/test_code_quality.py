"""The house rules, enforced: ruff (style, bugs, security, complexity) on every tree,
``mypy --strict`` on the package (pyproject.toml holds both configurations), and no module
reaching into another package's private modules (a concept two packages use gets a public
module)."""

from __future__ import annotations

import re
import subprocess
import sys

from tests.helpers import REPO_ROOT


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=REPO_ROOT, capture_output=True,
                          text=True, timeout=600)


def test_ruff_finds_nothing() -> None:
    result = run("ruff", "check", "src", "tests", "bench", "scripts")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict_finds_nothing() -> None:
    result = run("mypy")
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_module_imports_another_packages_private_modules() -> None:
    src = REPO_ROOT / "src"
    # `from chitti.a.b._c import x` / `import chitti.a._c`: group 1 is the private module's
    # package, which only its own modules (and its subpackages') may import from
    pattern = re.compile(r"^\s*(?:from|import)\s+(chitti(?:\.\w+)*)\._\w+", re.M)
    offenders = []
    for path in (src / "chitti").rglob("*.py"):
        module_pkg = ".".join(path.relative_to(src).with_suffix("").parts[:-1])
        for m in pattern.finditer(path.read_text()):
            owner = m.group(1)
            if module_pkg != owner and not module_pkg.startswith(owner + "."):
                offenders.append(f"{path.relative_to(src)}: {m.group(0).strip()}")
    assert not offenders, offenders
