"""Run independent chunks of a computation in process or on a Dask cluster, same results.

Parameter sweeps, walk-forward windows, the per-symbol feature blocks of a universe and the
folds of a model's validation are sums of independent pieces. The domain functions take an
``executor`` and hand it a pure function and the chunks; the executor returns the results
in chunk order, so the caller assembles exactly what it would have computed alone (every
chunk runs the same code on the same numbers: the outputs are bit-identical, which the
tests check). The service layer picks the executor from ``CHITTI_CLUSTER``
(:func:`executor`):

* unset: :class:`LocalExecutor`, in the calling thread (Numba kernels still use every core);
* ``tcp://host:8786`` (or ``tls://``, ``ws://``, ``wss://``): the Dask scheduler there;
* ``local:N``: a Dask cluster of N worker processes on this machine, started on first use.

Why Dask, not Ray. Measured on this project's machine (2 cores shared with other busy
processes, load average 4-9, 2026-12), ``distributed`` 2026.8.0 against ``ray`` 2.60.0, a
local cluster of 1 or 2 worker processes, two or three runs each (ranges):

==============================  ========================  ==========================
                                Dask (distributed)        Ray
==============================  ========================  ==========================
install size                    +36 MB, pure Python       +242 MB
start, until a first task ran   0.9-2.3 s (1), 0.9-3.4 s  4.1-15 s (1), 8.4-16 s (2)
memory, idle cluster            109 MB (1), 172 MB (2)    676-714 MB (1), 758-800 MB
memory after 8 sweeps           282-289 MB, 509-521 MB    862-897 MB, 1,101-1,143 MB
round trip of a no-op task      1.7-9.7 ms                0.7-1.1 ms
CPU for 8 sweeps (2.0 s alone)  2.3-2.6 s                 2.1-2.2 s
8 sweeps, 2 workers against 1   0.4-1.8x, median 0.7x;    1.0-1.7x, median 1.2x
                                2.0-2.3x at a quiet time
==============================  ========================  ==========================

(8 sweeps: SMA crossover, 9,370 combinations x 2,520 bars each, a task per sweep. The
wall-clock speed-ups swing with the other sessions' load on the two cores, the CPU time
does not: Dask spends 10-25 % more of it, its scheduler, client and nannies polling beside
the work, which shows on a saturated 2-core machine and not on hosts with cores to spare.)
Our tasks are coarse (a chunk is tenths of a second to seconds of Numba work), so Ray's
lower overhead per task buys little, while its idle footprint (0.7 GB) alone breaks issue
16's 300 MB per process on a small host and it starts 4-5 times slower. Dask's client is a
small pure-Python package, imported only when ``CHITTI_CLUSTER`` is set. ``bench/cluster.py``
measures the large sweep on 1 and 2 Dask workers against the run in process.

Workers: one task slot per core. Start them as processes of one thread
(``NUMBA_NUM_THREADS=1 dask worker ADDRESS --nworkers auto --nthreads 1``): the sweep
kernel holds the GIL, so two tasks in threads of one process would take turns. A task
gives Numba the worker's share of the cores (all of them / the worker's task slots;
``local:N``: the machine's cores / N); thread counts never change a result here.

A worker that dies mid-task (killed, out of memory) is replaced by its nanny and the task
reruns elsewhere; a task that kills ``distributed.scheduler.allowed-failures`` + 1 workers
(3 + 1 by default) fails the job with :class:`~chitti.errors.Unavailable`, and so does a
cluster left without a worker for ``stall_timeout_s``: a job never waits forever. Errors
the task itself raises (``BadRequest`` ...) reach the caller unchanged.

The scheduler runs whatever its clients send (pickled code): keep it and its workers on a
private network, or use ``tls://`` with client certificates (Dask's ``distributed.comm.tls``
settings). Workers must run the same version of Trading-Chitti and its dependencies.
"""

from __future__ import annotations

import os
import queue
import threading
import time
import uuid
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any, TypeVar

from chitti.errors import ChittiError, Unavailable

__all__ = [
    "DaskExecutor",
    "Executor",
    "LocalExecutor",
    "chunk_count",
    "executor",
    "split",
]

R = TypeVar("R")
#: Progress of a map: called with (chunks done, chunks in all) as results arrive.
DoneFn = Callable[[int, int], None]


def split(n: int, parts: int) -> list[slice]:
    """Cut ``range(n)`` into ``parts`` contiguous slices of near-equal size (the first ones
    one longer), none empty: fewer than ``parts`` when ``n`` is smaller."""
    parts = max(1, min(parts, n))
    size, extra = divmod(n, parts)
    out, start = [], 0
    for i in range(parts):
        stop = start + size + (1 if i < extra else 0)
        out.append(slice(start, stop))
        start = stop
    return out


def chunk_count(items: int, slots: int, *, per_slot: int = 4) -> int:
    """How many chunks to cut ``items`` into for ``slots`` parallel task slots: a few per
    slot so a slow or lost worker delays only a small piece; one when running alone."""
    if slots <= 1:
        return 1
    return max(1, min(items, slots * per_slot))


class Executor(ABC):
    """Runs a function over chunks and returns the results in chunk order."""

    @property
    @abstractmethod
    def workers(self) -> int:
        """Task slots that run at once (1 in process): how finely callers cut work."""

    @abstractmethod
    def map(self, fn: Callable[..., R], chunks: Sequence[Any], *shared: Any,
            on_done: DoneFn | None = None) -> list[R]:
        """Return ``[fn(chunk, *shared) for chunk in chunks]``.

        ``fn`` must be a module-level function (workers import it by name). ``shared``
        objects are sent to the cluster once, not with every chunk.
        """

    @abstractmethod
    def close(self) -> None:
        """Release what the executor holds (connections, worker processes)."""

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


class LocalExecutor(Executor):
    """Runs every chunk in the calling thread, in order."""

    @property
    def workers(self) -> int:
        return 1

    def map(self, fn: Callable[..., R], chunks: Sequence[Any], *shared: Any,
            on_done: DoneFn | None = None) -> list[R]:
        out = []
        for i, chunk in enumerate(chunks):
            out.append(fn(chunk, *shared))
            if on_done is not None:
                on_done(i + 1, len(chunks))
        return out

    def close(self) -> None:
        """Nothing to release."""


class DaskExecutor(Executor):
    """Runs chunks as tasks on a Dask cluster, connected (or started) on first use.

    ``address``: a scheduler (``tcp://host:8786``) or ``local:N`` for N worker processes
    on this machine. ``stall_timeout_s``: how long a job waits while the cluster has no
    worker before it fails; ``timeout_s``: the most a map may take (None: no limit).
    """

    def __init__(self, address: str, *, connect_timeout_s: float = 10.0,
                 stall_timeout_s: float = 60.0, timeout_s: float | None = None,
                 task_threads: int | None = None) -> None:
        self.address = address
        if task_threads is None and address.startswith("local:"):
            task_threads = max(1, (os.cpu_count() or 1) // int(address.removeprefix("local:")))
        self.task_threads = task_threads
        self.connect_timeout_s = connect_timeout_s
        self.stall_timeout_s = stall_timeout_s
        self.timeout_s = timeout_s
        self._lock = threading.Lock()
        self._client_obj: Any = None
        self._cluster: Any = None

    def _client(self) -> Any:
        with self._lock:
            if self._client_obj is None:
                self._client_obj = self._connect()
            return self._client_obj

    def _connect(self) -> Any:
        try:
            from distributed import Client, LocalCluster
        except ImportError as exc:
            raise Unavailable("CHITTI_CLUSTER is set but Dask is not installed: "
                              "pip install 'trading-chitti[cluster]'") from exc
        try:
            if self.address.startswith("local:"):
                self._cluster = LocalCluster(
                    n_workers=int(self.address.removeprefix("local:")), threads_per_worker=1,
                    processes=True, host="127.0.0.1",
                    dashboard_address="127.0.0.1:0")  # type: ignore[no-untyped-call]
                return Client(self._cluster,  # type: ignore[no-untyped-call]
                              set_as_default=False)
            return Client(self.address,  # type: ignore[no-untyped-call]
                          timeout=self.connect_timeout_s, set_as_default=False)
        except (OSError, TimeoutError, RuntimeError) as exc:  # RuntimeError: a worker failed
            self._close_cluster()
            raise Unavailable(f"cluster: cannot reach (or start) the Dask scheduler at "
                              f"{self.address} (CHITTI_CLUSTER): {exc}") from exc

    @property
    def workers(self) -> int:
        return int(sum(self._client().nthreads().values()))

    @property
    def scheduler_address(self) -> str:
        """The scheduler's address (for ``local:N``, the one started here)."""
        return str(self._client().scheduler.address)

    def map(self, fn: Callable[..., R], chunks: Sequence[Any], *shared: Any,
            on_done: DoneFn | None = None) -> list[R]:
        from distributed import KilledWorker
        from distributed.client import FutureCancelledError

        client = self._client()
        token = f"chitti-{getattr(fn, '__name__', 'task')}-{uuid.uuid4().hex[:12]}"
        futures: list[Any] = []
        try:
            # Shared objects go in as tasks of their own, not scattered: a scattered value
            # dies with the worker that holds it, a task's result is computed again.
            sent = [client.submit(_same, obj, key=f"{token}-shared-{i}", pure=False)
                    for i, obj in enumerate(shared)]
            futures = [client.submit(_task, fn, self.task_threads, chunk, *sent,
                                     key=f"{token}-{i}", pure=False)
                       for i, chunk in enumerate(chunks)]
            futures += sent
            self._wait(client, futures[:len(chunks)], on_done)
            return list(client.gather(futures[:len(chunks)]))
        except ChittiError:
            raise
        except KilledWorker as exc:
            raise Unavailable(f"cluster: a task of {token} was running on every worker that "
                              f"died under it and was given up ({exc}); see the workers' "
                              "logs (memory?)") from exc
        except (FutureCancelledError, OSError, TimeoutError) as exc:
            raise Unavailable(f"cluster: lost the job {token} ({type(exc).__name__}: {exc}); "
                              "retry when the Dask scheduler and workers are back") from exc
        finally:
            if futures:
                client.cancel(futures)

    def _wait(self, client: Any, futures: list[Any], on_done: DoneFn | None) -> None:
        # Wait for results as they arrive: fail fast on a task's error, report progress, and
        # give up when the cluster has had no worker for stall_timeout_s or the map ran for
        # longer than timeout_s.
        arrived: queue.SimpleQueue[Any] = queue.SimpleQueue()
        for f in futures:
            f.add_done_callback(arrived.put)
        started = time.monotonic()
        lonely_since: float | None = None
        left = len(futures)
        while left:
            try:
                one = arrived.get(timeout=1.0)
            except queue.Empty:
                one = None
            if one is not None:
                if one.status != "finished":
                    one.result()  # raises the task's exception (or its cancellation)
                left -= 1
                if on_done is not None:
                    on_done(len(futures) - left, len(futures))
            now = time.monotonic()
            if self.timeout_s is not None and now - started > self.timeout_s:
                raise Unavailable(f"cluster: the job took more than {self.timeout_s:.0f} s")
            if one is not None:
                continue
            if client.nthreads():
                lonely_since = None
            elif lonely_since is None:
                lonely_since = now
            elif now - lonely_since > self.stall_timeout_s:
                raise Unavailable(f"cluster: no Dask worker for {self.stall_timeout_s:.0f} s "
                                  f"at {self.address}; start workers (`NUMBA_NUM_THREADS=1 "
                                  f"dask worker {self.address} --nworkers auto --nthreads 1`) "
                                  "and retry")

    def _close_cluster(self) -> None:
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None

    def close(self) -> None:
        with self._lock:
            if self._client_obj is not None:
                self._client_obj.close()
                self._client_obj = None
            self._close_cluster()


def _same(obj: R) -> R:
    return obj


def _task(fn: Callable[..., R], threads: int | None, chunk: Any, *shared: Any) -> R:
    # On a worker: give the task its share of the cores for Numba's parallel kernels (a
    # worker process with k task slots runs k tasks at once), then run it. Thread counts
    # never change a result here: kernels split work per combination or per symbol.
    import numba

    pool = int(numba.config.NUMBA_NUM_THREADS)  # type: ignore[attr-defined]
    if threads is None:
        try:
            from distributed import get_worker

            threads = pool // max(1, int(get_worker().state.nthreads))
        except ValueError:  # not on a worker
            threads = pool
    numba.set_num_threads(max(1, min(threads, pool)))
    return fn(chunk, *shared)


@lru_cache(maxsize=4)
def executor(address: str | None) -> Executor:
    """The process's executor for ``CHITTI_CLUSTER`` (one per address, connected on first
    use): :class:`LocalExecutor` when unset, else a :class:`DaskExecutor`."""
    if not address:
        return LocalExecutor()
    return DaskExecutor(address)
