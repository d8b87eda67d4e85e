"""Wall-clock timing shared by the benches: warm once, then time each repetition."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def timings(fn: Callable[[], object], reps: int, *, warm: bool = True) -> list[float]:
    """Seconds taken by each of ``reps`` calls (after one untimed warm-up call)."""
    if warm:
        fn()  # compile / page in
    out = []
    for _ in range(reps):
        started = time.perf_counter()
        fn()
        out.append(time.perf_counter() - started)
    return out


def median_seconds(fn: Callable[[], object], reps: int) -> float:
    return statistics.median(timings(fn, reps))
