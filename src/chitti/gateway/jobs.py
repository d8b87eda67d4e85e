"""Long jobs (sweeps, walk-forwards, model training): queued in ``auth.jobs``, run by any
gateway process, survive a gateway restart.

``POST`` answers 202 with the job; each gateway process runs up to ``RUNNERS_PER_PROCESS``
jobs at once, claiming the oldest queued one (``FOR UPDATE SKIP LOCKED``) and beating a
heartbeat while the service works. A job whose gateway dies stops beating and is claimed
again by another (or the restarted) gateway, at most three times. Every change of state is
announced on ``job_updated`` (payload ``id:user:state``; the gateway's listener hands them to
``on_updates``), which wakes idle runners, ends
cancelled runs, and reaches the owner's WebSocket. A cancelled job's computation is
abandoned by the gateway; the service finishes the call it started and the result is
dropped.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from chitti.compute.research_schemas import TrainRequest
from chitti.compute.schemas import SweepRequest, WalkForwardRequest
from chitti.db.pool import DictPool
from chitti.errors import ChittiError, Timeout, Unavailable
from chitti.gateway import store
from chitti.ipc.client import IpcClient

log = logging.getLogger(__name__)

#: kind -> (service, action, request model)
JOB_KINDS: dict[str, tuple[str, str, type[Any]]] = {
    "sweep": ("compute", "sweep", SweepRequest),
    "walk_forward": ("compute", "walk_forward", WalkForwardRequest),
    "train": ("compute", "train", TrainRequest),
}
RUNNERS_PER_PROCESS = 2
HEARTBEAT_S = 5.0
#: A running job without a heartbeat for this long belongs to a dead gateway.
STALE_S = 30.0
#: Longest a job may run before it is failed (a sweep of 100,000 combinations fits).
JOB_TIMEOUT_S = 3600.0

#: Kinds whose action is a stream: frames ``{"progress": 0..1, "message": ...}`` while it
#: works, then one ``{"result": {...}}`` (the job's progress is kept in its row).
STREAMING_KINDS = frozenset({"train"})
#: Progress is written at most this often (a training reports every tree batch).
PROGRESS_EVERY_S = 1.0

JobListener = Callable[[str, int, str], None]


class JobRunner:
    """Runs queued jobs in this gateway process and fans job updates out."""

    def __init__(self, pool: DictPool, clients: dict[str, IpcClient]) -> None:
        self.pool = pool
        self.clients = clients
        self.runner_id = f"gateway-{uuid.uuid4().hex[:12]}"
        self.wake = asyncio.Event()
        self.running: dict[str, asyncio.Task[None]] = {}
        self.listeners: dict[int, set[JobListener]] = defaultdict(set)
        self._tasks: list[asyncio.Task[Any]] = []

    def start(self) -> None:
        self._tasks = [
            asyncio.create_task(self._heartbeat(), name="job-heartbeat"),
            *(asyncio.create_task(self._work(), name=f"job-runner-{i}")
              for i in range(RUNNERS_PER_PROCESS)),
        ]
        self.wake.set()

    async def close(self) -> None:
        for task in [*self._tasks, *self.running.values()]:
            task.cancel()
        for task in [*self._tasks, *self.running.values()]:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    async def on_updates(self, payloads: list[str]) -> None:
        """``job_updated`` payloads (``id:user:state``), from the gateway's listener."""
        for payload in payloads:
            job_id, _, rest = payload.partition(":")
            user, _, state = rest.partition(":")
            if state == "queued":
                self.wake.set()
            elif state == "cancelled" and job_id in self.running:
                self.running[job_id].cancel()
            for listener in list(self.listeners.get(int(user or 0), ())):
                listener(job_id, int(user), state)

    async def _heartbeat(self) -> None:
        while True:
            await asyncio.sleep(HEARTBEAT_S)
            with contextlib.suppress(Exception):
                async with self.pool.connection() as conn:
                    await store.beat(conn, self.runner_id)
            self.wake.set()  # also look for jobs whose gateway stopped beating

    async def _work(self) -> None:
        while True:
            await self.wake.wait()
            try:
                async with self.pool.connection() as conn:
                    job = await store.claim_job(conn, self.runner_id, STALE_S)
            except Exception as exc:  # the database is away: try again on the next beat
                log.warning("cannot claim jobs: %s", exc)
                job = None
            if job is None:
                self.wake.clear()
                continue
            task = asyncio.create_task(self._run(job))
            self.running[job["id"]] = task
            try:
                await task
            except asyncio.CancelledError:
                if not task.cancelled():
                    raise  # this runner itself is being stopped
            finally:
                self.running.pop(job["id"], None)

    async def _run(self, job: dict[str, Any]) -> None:
        service, action, model = JOB_KINDS[job["kind"]]
        result: dict[str, Any] | None = None
        error: dict[str, Any] | None = None
        request = model.model_validate(job["request"])
        try:
            if job["kind"] in STREAMING_KINDS:
                result = await asyncio.wait_for(self._follow(job["id"], service, action, request),
                                                JOB_TIMEOUT_S)
            else:
                result = await self.clients[service].call(action, request,
                                                          timeout=JOB_TIMEOUT_S)
        except TimeoutError:
            error = Timeout(f"the job ran longer than {JOB_TIMEOUT_S:.0f} s").to_dict()
        except ChittiError as exc:
            error = exc.to_dict()
        async with self.pool.connection() as conn:
            await store.finish_job(conn, job["id"], self.runner_id,
                                   "failed" if error else "done", result, error)

    async def _follow(self, job_id: str, service: str, action: str,
                      request: Any) -> dict[str, Any]:
        """Run a streaming action, keeping the job's progress; return its result frame."""
        last = 0.0
        async with self.clients[service].stream(action, request) as frames:
            async for frame in frames:
                if "result" in frame:
                    return dict(frame["result"])
                now = time.monotonic()
                if now - last >= PROGRESS_EVERY_S:
                    last = now
                    async with self.pool.connection() as conn:
                        await store.set_job_progress(conn, job_id, self.runner_id,
                                                     float(frame.get("progress", 0.0)),
                                                     str(frame.get("message", "")))
        raise Unavailable(f"{service} closed the {action} stream before its result; "
                          "the job is failed, start it again")
