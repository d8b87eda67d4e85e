"""Work for tests/unit/compute/test_isolated.py, in a module a spawned child can import."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

from chitti.compute.isolated import run_async_cancellable
from chitti.errors import BadRequest


def counted(n: int, *, progress: Callable[[float, str], None]) -> dict[str, object]:
    for i in range(n):
        progress(i / n, f"step {i}")
    return {"pid": os.getpid(), "total": sum(range(n))}


def refused(field: str, *, progress: Callable[[float, str], None]) -> None:
    raise BadRequest(f"{field}: not like that")


def dies(*, progress: Callable[[float, str], None]) -> None:
    os._exit(7)


def waits(marker: str, *, progress: Callable[[float, str], None]) -> None:
    """Report its pid, then wait for a cancellation; leave a note that it unwound."""

    async def main() -> None:
        try:
            Path(marker).write_text(str(os.getpid()))
            progress(0.0, "started")
            while True:
                await __import__("asyncio").sleep(0.05)
        finally:
            Path(marker + ".cancelled").write_text("unwound")

    run_async_cancellable(main)


def stubborn(marker: str, *, progress: Callable[[float, str], None]) -> None:
    """Ignore SIGTERM: only SIGKILL stops it."""
    import signal

    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    Path(marker).write_text(str(os.getpid()))
    progress(0.0, "started")
    time.sleep(600)


def big(megabytes: int, *, progress: Callable[[float, str], None]) -> bytes:
    for i in range(50):  # progress messages interleaved with a long final message
        progress(i / 50, "x" * 10_000)
    return os.urandom(1 << 20) * megabytes
