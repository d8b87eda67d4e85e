"""Compile every Numba kernel the services run into Numba's on-disk cache, ahead of use.

Why: a fresh clone (or an edited kernel file) has no compiled kernels, and the first request
of each kind compiled them on the spot: 13 s for a first backtest, over 30 s for a first
``compute/batch``, 60 s for a first ``signals/generate``. ``chitti warm`` runs each service
code path that reaches a kernel once (:mod:`chitti.warm_parts`), so every signature a
request needs is in the cache. ``make run``, ``make test`` and the container image run it at
install; a service that starts on a stale cache runs it for its own parts in a child
process and answers ``health`` with ``warming`` until it is done (:class:`Warming`).

Why ahead of time in a throwaway process, and not by loading everything in each service:
compiling leaves LLVM's working memory in the process that compiled (a compute process that
compiled its kernels on first use held about 700 MB; serving the same requests from the
cache, about 300 MB), and every kernel loaded costs memory (0.7 MB each as Numba loads
them, about 0.15 MB with :func:`lean_kernel_loading`), so loading all of them into every
service would cost tens to hundreds of MB each. A service therefore loads at start only what
every one of its requests needs (:data:`chitti.warm_parts.PRIMES`), then the kernels its
requests use, from the cache (well under a second for the first request of a kind,
``bench/coldstart.py``), and never compiles.

Where the cache is: ``NUMBA_CACHE_DIR`` when set; else next to the sources (``__pycache__``,
Numba's default) when that is writable; else (a read-only install) ``<var>/numba-cache``,
set by :func:`configure_cache` before any kernel module is imported. Numba keys a cached
kernel on its source file's content, qualified name and line, signature and CPU, so a cache
never serves a stale kernel; the stamp this module writes beside it only saves a service
the work of finding that out.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import hashlib
import json
import logging
import os
import re
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chitti.config import ServiceName, Settings

__all__ = [
    "PART_NAMES",
    "SERVICE_PARTS",
    "PartReport",
    "Warming",
    "cache_dir",
    "cache_is_fresh",
    "configure_cache",
    "lean_kernel_loading",
    "warm",
]

log = logging.getLogger(__name__)

#: The parts of :mod:`chitti.warm_parts`, in the order ``chitti warm`` runs them.
PART_NAMES = ("indicators", "backtest", "features", "ml", "signals", "news")

#: The kernels each service's requests reach (a service warms only its own at start).
SERVICE_PARTS: dict[ServiceName, tuple[str, ...]] = {
    "compute": ("indicators", "backtest", "features", "ml"),
    "signal-service": ("indicators", "signals"),
    "news-nlp": ("news",),
}

_PACKAGE = Path(__file__).resolve().parent
_STAMP = "chitti-warm.json"
_USES_NUMBA = re.compile(rb"^\s*(from numba|import numba)", re.MULTILINE)


# --- where the cache is -------------------------------------------------------------------


def _writable(directory: Path) -> bool:
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError:
        return False
    return os.access(directory, os.W_OK | os.X_OK)


def configure_cache(settings: Settings) -> Path | None:
    """Point Numba at a writable cache; call before any kernel module is imported.

    Keeps ``NUMBA_CACHE_DIR`` when it is set, and Numba's default (``__pycache__`` beside
    the sources) when the package is writable; a read-only install gets
    ``<var>/numba-cache`` (without it Numba would try the user's home, which a service
    account may not have). Set in ``os.environ``, so every child process (the services,
    ``chitti warm``) uses the same one. Returns the directory when it set one.
    """
    if os.environ.get("NUMBA_CACHE_DIR") or _writable(_PACKAGE / "__pycache__"):
        return None
    target = settings.var_path / "numba-cache"
    os.environ["NUMBA_CACHE_DIR"] = str(target)
    return target


def cache_dir() -> Path:
    """Where the compiled kernels and the warm stamp are kept (see the module docstring)."""
    configured = os.environ.get("NUMBA_CACHE_DIR")
    return Path(configured).resolve() if configured else _PACKAGE / "__pycache__"


def _fingerprint() -> str:
    """What the cached kernels depend on: the source of every module that defines kernels,
    the Numba version and the CPU (Numba's own keys, summarised)."""
    from llvmlite import binding

    cpu = (binding.get_process_triple(), binding.get_host_cpu_name(),
           binding.get_host_cpu_features().flatten())
    digest = hashlib.sha256(f"{_numba_version()} {cpu} {sys.version_info[:2]}".encode())
    for path in sorted(_PACKAGE.rglob("*.py")):
        source = path.read_bytes()
        if _USES_NUMBA.search(source):
            digest.update(str(path.relative_to(_PACKAGE)).encode() + b"\0" + source)
    return digest.hexdigest()


def _read_stamp() -> dict[str, Any]:
    try:
        stamp = json.loads((cache_dir() / _STAMP).read_text())
    except (OSError, ValueError):
        return {}
    return stamp if isinstance(stamp, dict) else {}


def cache_is_fresh(parts: Sequence[str]) -> bool:
    """Return whether :func:`warm` filled the cache with ``parts`` for the current kernel
    sources (False: a fresh clone, an edited kernel, another Numba or CPU)."""
    stamp = _read_stamp()
    fingerprint = _fingerprint()
    return all(stamp.get(part) == fingerprint for part in parts)


def _stamp(part: str, fingerprint: str) -> None:
    path = cache_dir() / _STAMP
    path.parent.mkdir(parents=True, exist_ok=True)
    stamp = {**_read_stamp(), part: fingerprint}
    temporary = path.with_name(f"{_STAMP}.{os.getpid()}.tmp")
    temporary.write_text(json.dumps(stamp, indent=1, sort_keys=True) + "\n")
    temporary.replace(path)  # atomic: a reader sees the old stamp or the new one


@contextlib.contextmanager
def _locked(part: str) -> Iterator[None]:
    # Services starting together on a stale cache each warm their parts: one process per
    # part at a time, the others then find it fresh (and two writers of one kernel's index
    # cannot drop each other's entries).
    directory = cache_dir()
    directory.mkdir(parents=True, exist_ok=True)
    with (directory / f"chitti-warm-{part}.lock").open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# --- loading kernels lean -----------------------------------------------------------------


def lean_kernel_loading() -> bool:
    """Keep the linking IR of each kernel loaded from the cache as bitcode bytes, and parse
    it only if a kernel compiled later in this process links against it.

    Why: for each cached kernel it loads, Numba (0.60-0.68 at least) also parses the
    kernel's LLVM bitcode into an in-memory module, in case a later compilation inlines it;
    that module, not the machine code, is most of the ~0.7 MB a kernel costs. A service
    finds its kernels in the cache and never compiles, so the module is dead weight:
    without it, 100 indicators cost 16 MB instead of 75 (``bench/coldstart.py`` measures the
    services). Should a compilation need it after all (a kernel missing from the cache),
    it is parsed then, from the same bytes, so the result is unchanged.

    Patches ``numba.core.codegen.CPUCodeLibrary`` once per process; returns False (and
    changes nothing) when Numba's internals are not the ones this was written against.
    """
    from llvmlite import binding
    from numba.core import codegen

    library: Any = codegen.CPUCodeLibrary
    if getattr(library, "_chitti_lean", False):
        return True
    unserialize = library.__dict__.get("_unserialize")
    linking = library.__dict__.get("_get_module_for_linking")
    if not isinstance(unserialize, classmethod) or not callable(linking):
        log.warning("numba %s: cached kernels keep their linking IR (unknown internals)",
                    _numba_version())
        return False
    load = unserialize.__func__

    def _unserialize(cls: Any, codegen_: Any, state: Any) -> Any:
        self = load(cls, codegen_, state)
        if (isinstance(state, tuple) and len(state) == 3 and state[1] == "object"
                and isinstance(state[2], tuple) and isinstance(state[2][1], bytes)):
            self._chitti_bitcode = state[2][1]
            self._shared_module = None
        return self

    def _get_module_for_linking(self: Any) -> Any:
        if self._shared_module is None and getattr(self, "_chitti_bitcode", None):
            self._shared_module = binding.parse_bitcode(self._chitti_bitcode)
        return linking(self)

    library._unserialize = classmethod(_unserialize)
    library._get_module_for_linking = _get_module_for_linking
    library._chitti_lean = True
    return True


def _numba_version() -> str:
    from importlib.metadata import version

    return version("numba")


# --- running the parts --------------------------------------------------------------------


@dataclass(frozen=True)
class PartReport:
    """One part of a warm-up: its seconds and how many kernels it compiled (0: all were in
    the cache), or ``skipped`` when another process had just warmed it."""

    name: str
    seconds: float
    compiled: int
    skipped: bool = False


@contextlib.contextmanager
def _counting_compiles() -> Iterator[list[int]]:
    from numba.core import event

    count = [0]

    class _Count(event.Listener):
        def on_start(self, event: event.Event) -> None:
            count[0] += 1

        def on_end(self, event: event.Event) -> None:
            pass

    with event.install_listener("numba:compile", _Count()):
        yield count


def warm(parts: Sequence[str] | None = None, *, skip_fresh: bool = False,
         progress: Callable[[PartReport], None] | None = None) -> list[PartReport]:
    """Run ``parts`` (default: all of :data:`PART_NAMES`) and stamp the cache for each.

    Kernels already in the cache are only loaded (seconds for all parts); missing ones are
    compiled (minutes on a fresh clone). With ``skip_fresh``, a part whose stamp is current
    is not run. Raises ``KeyError`` naming the parts for an unknown one.
    """
    names = list(PART_NAMES) if parts is None else list(dict.fromkeys(parts))
    unknown = [p for p in names if p not in PART_NAMES]
    if unknown:
        raise KeyError(f"unknown part(s) {', '.join(unknown)}; parts: {', '.join(PART_NAMES)}")
    from chitti.warm_parts import PARTS

    fingerprint = _fingerprint()
    reports = []
    for name in names:
        started = time.perf_counter()
        with _locked(name):
            if skip_fresh and _read_stamp().get(name) == fingerprint:
                report = PartReport(name, time.perf_counter() - started, 0, skipped=True)
            else:
                with _counting_compiles() as compiled:
                    PARTS[name]()
                _stamp(name, fingerprint)
                report = PartReport(name, time.perf_counter() - started, compiled[0])
        reports.append(report)
        if progress is not None:
            progress(report)
    return reports


# --- a service starting on a stale cache --------------------------------------------------


class Warming:
    """A service's start-up check: when its parts' cache is stale, run ``chitti warm`` for
    them in a child process (its compiler memory dies with it) and report ``warming`` in
    ``health`` until it ends. A failed warm-up is logged and ends the warming state: the
    service then compiles on first use, as it would without this.

    ``health`` also counts the kernels this process had to compile (``kernels_compiled``):
    anything but 0 means the cache lacked a kernel a request needed, and that request
    waited for the compiler (a part of :mod:`chitti.warm_parts` misses a code path).
    """

    def __init__(self, service: ServiceName) -> None:
        self.service = service
        self.parts = SERVICE_PARTS[service]
        self._task: asyncio.Task[None] | None = None
        self._child: asyncio.subprocess.Process | None = None
        self._primer: asyncio.Task[None] | None = None
        self.compiled = 0

    @property
    def active(self) -> bool:
        return self._task is not None and not self._task.done()

    def start(self) -> None:
        """Count compilations from now on; check the cache and, when stale, start warming
        it in the background; then (or at once, on a warm cache) load what the service's
        first requests need (:data:`chitti.warm_parts.PRIMES`), in a worker thread."""
        from numba.core import event

        warming = self

        class _Count(event.Listener):
            def on_start(self, event: event.Event) -> None:
                warming.compiled += 1

            def on_end(self, event: event.Event) -> None:
                pass

        event.register("numba:compile", _Count())  # type: ignore[no-untyped-call]
        if cache_is_fresh(self.parts):
            self._primer = asyncio.create_task(self._prime(), name=f"{self.service}-prime")
            return
        log.info("%s: the compiled kernels of %s are missing or stale; compiling them in a "
                 "child process (health says warming until done)", self.service,
                 ", ".join(self.parts))
        self._task = asyncio.create_task(self._run(), name=f"{self.service}-warm-up")

    async def _prime(self) -> None:
        from chitti.warm_parts import PRIMES

        try:
            await asyncio.to_thread(PRIMES[self.service])
        except Exception:  # the first request then loads what it needs itself
            log.exception("%s: loading the kernels at start failed", self.service)

    async def _run(self) -> None:
        argv = [sys.executable, "-m", "chitti.cli", "warm", "--quiet", "--skip-fresh",
                *(arg for part in self.parts for arg in ("--part", part))]
        started = time.monotonic()
        try:
            self._child = await asyncio.create_subprocess_exec(*argv)
            code = await self._child.wait()
        except OSError as exc:
            log.error("%s: could not start the warm-up (%s); kernels compile on first use",
                      self.service, exc)
            return
        if code == 0:
            log.info("%s: kernels warmed in %.1f s", self.service, time.monotonic() - started)
            await self._prime()
        else:
            log.error("%s: the warm-up exited with status %s; kernels compile on first use",
                      self.service, code)

    def health(self) -> dict[str, Any]:
        """``kernels_compiled``, and ``warming`` (the parts) while warming."""
        state: dict[str, Any] = {"kernels_compiled": self.compiled}
        if self.active:
            state["warming"] = list(self.parts)
        return state

    async def close(self) -> None:
        """Stop a warm-up still running (the service is stopping)."""
        if self._child is not None and self._child.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self._child.terminate()
        for task in (self._task, self._primer):
            if task is not None:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
