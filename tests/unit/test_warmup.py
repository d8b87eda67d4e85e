"""chitti.warmup: where the kernel cache is, when it counts as warm, that a warmed part
really holds what its service runs (a fresh process compiles nothing), that a service
counts what it compiles, and that kernels loaded lean still link."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from chitti import warm_parts, warmup
from chitti.config import Settings

_ORIGINAL_CACHE_DIR = os.environ.get("NUMBA_CACHE_DIR")


def _run(script: str, env: dict[str, str], *, cwd: Path | None = None,
         timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(script)], env=env, cwd=cwd,
                          capture_output=True, text=True, timeout=timeout, check=False)


def test_configure_cache_keeps_numba_cache_dir_and_a_writable_tree(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    settings = Settings(var_dir=tmp_path / "var")
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path / "mine"))
    assert warmup.configure_cache(settings) is None
    assert os.environ["NUMBA_CACHE_DIR"] == str(tmp_path / "mine")
    monkeypatch.delenv("NUMBA_CACHE_DIR")
    monkeypatch.setattr(warmup, "_PACKAGE", tmp_path / "pkg")
    assert warmup.configure_cache(settings) is None  # __pycache__ can be made: numba's own
    assert "NUMBA_CACHE_DIR" not in os.environ
    assert warmup.cache_dir() == tmp_path / "pkg" / "__pycache__"


def test_a_read_only_install_caches_kernels_in_the_state_directory(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # a __pycache__ that cannot be a directory stands for a package that cannot be written
    # (tests run as root, for whom permission bits do not stop anything)
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__pycache__").write_text("not a directory")
    monkeypatch.setattr(warmup, "_PACKAGE", tmp_path / "pkg")
    # set, then unset: monkeypatch then restores the variable whatever configure_cache does
    monkeypatch.setenv("NUMBA_CACHE_DIR", "unset below")
    monkeypatch.delenv("NUMBA_CACHE_DIR")
    target = warmup.configure_cache(Settings(var_dir=tmp_path / "var"))
    assert target == (tmp_path / "var" / "numba-cache").resolve()
    assert os.environ["NUMBA_CACHE_DIR"] == str(target)
    assert warmup.cache_dir() == target


def test_the_stamp_follows_the_kernel_sources_only(monkeypatch: pytest.MonkeyPatch,
                                                   tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    package.mkdir()
    kernel = package / "kernels.py"
    kernel.write_text("from numba import njit\n\n@njit(cache=True)\ndef f(x):\n    return x\n")
    other = package / "routes.py"
    other.write_text("ROUTES = 1\n")
    monkeypatch.setattr(warmup, "_PACKAGE", package)
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path / "cache"))
    ran: list[str] = []
    monkeypatch.setitem(warm_parts.PARTS, "news", lambda: ran.append("news"))
    assert not warmup.cache_is_fresh(["news"])
    (report,) = warmup.warm(["news"])
    assert ran == ["news"] and report.compiled == 0 and not report.skipped
    assert warmup.cache_is_fresh(["news"]) and not warmup.cache_is_fresh(["news", "ml"])
    (skipped,) = warmup.warm(["news"], skip_fresh=True)
    assert skipped.skipped and ran == ["news"]
    other.write_text("ROUTES = 2\n")  # no kernel in it: the cache is still good
    assert warmup.cache_is_fresh(["news"])
    kernel.write_text(kernel.read_text() + "\n# edited\n")
    assert not warmup.cache_is_fresh(["news"])
    stamp = json.loads((tmp_path / "cache" / "chitti-warm.json").read_text())
    assert set(stamp) == {"news"}


def test_the_environment_is_left_as_found() -> None:
    # (the tests above change NUMBA_CACHE_DIR through monkeypatch only: a leak would send
    # every later system of this session to an empty kernel cache)
    assert os.environ.get("NUMBA_CACHE_DIR") == _ORIGINAL_CACHE_DIR


def test_unknown_parts_are_refused_by_name(tmp_path: Path) -> None:
    with pytest.raises(KeyError, match="unknown part.*nope.*parts: indicators"):
        warmup.warm(["nope"])
    done = subprocess.run([sys.executable, "-m", "chitti.cli", "warm", "--part", "nope"],
                          capture_output=True, text=True, timeout=120, check=False,
                          env={**os.environ, "NUMBA_CACHE_DIR": str(tmp_path)})
    assert done.returncode == 2 and "unknown part(s) nope" in done.stderr


def test_every_service_part_exists() -> None:
    assert set(warmup.PART_NAMES) == set(warm_parts.PARTS)
    assert {p for parts in warmup.SERVICE_PARTS.values() for p in parts} == set(
        warmup.PART_NAMES)


def test_a_warmed_part_holds_what_its_service_runs(tmp_path: Path) -> None:
    """``chitti warm --part news`` in an empty cache compiles the news kernels; a new
    process then runs news-nlp's own code path (other texts, one and many) and compiles
    nothing, while the service's counter does count a kernel that is not cached."""
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path / "cache")}
    first = subprocess.run([sys.executable, "-m", "chitti.cli", "warm", "--part", "news"],
                           env=env, capture_output=True, text=True, timeout=900, check=False)
    assert first.returncode == 0, first.stderr
    assert "compiled" in first.stdout and " 0 compiled" not in first.stdout
    again = subprocess.run([sys.executable, "-m", "chitti.cli", "warm", "--part", "news",
                            "--check", "--quiet"], env=env, capture_output=True, text=True,
                           timeout=300, check=False)
    assert again.returncode == 0, again.stderr
    served = _run("""
        import asyncio
        from chitti.news import direction, sentiment
        from chitti.warmup import Warming

        async def main():
            warming = Warming("news-nlp")
            warming.start()
            assert not warming.active  # the stamp is fresh: no child process
            sentiment.analyze_many(["Tata Steel slumps on weak demand",
                                    "HDFC Bank Q3 net profit rises 20 % to Rs 16,000 crore ."])
            sentiment.analyze("Rupee flat")
            direction.assess_many([("Wipro falls, Infosys gains", "Infosys"),
                                   ("Wipro falls, Infosys gains", "Wipro")])
            print(warming.health()["kernels_compiled"])
            from numba import njit

            @njit(cache=False)
            def uncached(x):
                return x * 3

            uncached(2)
            print(warming.health()["kernels_compiled"])

        asyncio.run(main())
        """, env)
    assert served.returncode == 0, served.stderr
    assert served.stdout.split() == ["0", "1"]


def test_lean_loading_keeps_cached_kernels_linkable(tmp_path: Path) -> None:
    """A kernel loaded lean from the cache keeps no parsed IR, and a kernel compiled later
    that calls it still links and computes the same."""
    kernels = tmp_path / "lean_kernels.py"
    kernels.write_text(textwrap.dedent("""
        import numpy as np
        from numba import njit

        @njit(cache=True)
        def weighted(x, w):
            out = np.empty_like(x)
            for i in range(x.shape[0]):
                out[i] = x[i] * w + i
            return out
        """))
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path / "cache"),
           "PYTHONPATH": f"{tmp_path}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    fill = _run("import numpy as np, lean_kernels; lean_kernels.weighted(np.ones(3), 2.0)",
                env)
    assert fill.returncode == 0, fill.stderr
    lean = _run("""
        import numpy as np
        from numba import njit
        from chitti.warmup import lean_kernel_loading

        assert lean_kernel_loading() and lean_kernel_loading()  # once, then a no-op
        import lean_kernels

        x = np.arange(5.0)
        first = lean_kernels.weighted(x, 2.0)
        (overload,) = lean_kernels.weighted.overloads.values()
        library = overload.library
        print(lean_kernels.weighted.stats.cache_hits.total(),
              library._shared_module is None, len(library._chitti_bitcode) > 0)

        @njit(cache=False)
        def twice(x):
            return lean_kernels.weighted(x, 2.0) * 2.0

        assert np.array_equal(twice(x), first * 2.0)
        print(library._shared_module is not None)
        """, env)
    assert lean.returncode == 0, lean.stderr
    assert lean.stdout.split() == ["1", "True", "True", "True"]
