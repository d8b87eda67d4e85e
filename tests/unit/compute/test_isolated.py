"""run_isolated: work in a child process gives back its result, its progress in order, its
errors with their class, and stops (gracefully first) when the awaiting task is cancelled."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest
from tests.unit.compute import isolated_work as work

from chitti.compute import isolated
from chitti.compute.isolated import ChildFailed, run_isolated
from chitti.errors import BadRequest


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie is dead for our purpose
    status = Path(f"/proc/{pid}/status")
    return status.exists() and "zombie" not in status.read_text()


async def test_result_and_progress_come_back_from_another_process() -> None:
    steps: list[tuple[float, str]] = []
    result = await run_isolated(work.counted, 5, progress=lambda f, m: steps.append((f, m)))
    assert result["total"] == 10 and result["pid"] != os.getpid()
    assert steps == [(i / 5, f"step {i}") for i in range(5)]
    assert not _alive(int(result["pid"]))  # type: ignore[call-overload]


async def test_errors_keep_their_class_and_a_dead_child_is_reported() -> None:
    with pytest.raises(BadRequest, match="params: not like that"):
        await run_isolated(work.refused, "params")
    with pytest.raises(ChildFailed, match="exit code 7"):
        await run_isolated(work.dies)


async def _started(task: asyncio.Task[None], marker: Path) -> int:
    for _ in range(600):
        if marker.exists() and marker.read_text():
            return int(marker.read_text())
        assert not task.done(), task
        await asyncio.sleep(0.05)
    raise AssertionError("the child never started")


async def test_cancelling_stops_the_child_and_lets_it_unwind(tmp_path: Path) -> None:
    marker = tmp_path / "pid"
    task = asyncio.create_task(run_isolated(work.waits, str(marker)))
    pid = await _started(task, marker)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert not _alive(pid)
    assert (tmp_path / "pid.cancelled").read_text() == "unwound"


async def test_a_child_that_ignores_sigterm_is_killed(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(isolated, "STOP_GRACE_S", 0.5)
    marker = tmp_path / "pid"
    task = asyncio.create_task(run_isolated(work.stubborn, str(marker)))
    pid = await _started(task, marker)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert not _alive(pid)


def test_a_long_reply_arrives_whole_under_uvloop() -> None:
    # the services run on uvloop; a reply of many pipe buffers must not be read half-way
    uvloop = pytest.importorskip("uvloop")
    seen: list[float] = []
    data = uvloop.run(run_isolated(work.big, 24, progress=lambda f, m: seen.append(f)))
    assert len(data) == 24 << 20 and data[:1 << 20] * 24 == data
    assert seen == [i / 50 for i in range(50)]
