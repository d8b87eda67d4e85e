"""Run one piece of heavy, occasional work in a fresh child process and await its result.

Why: some requests load far more than they keep. A model training imports LightGBM and
scikit-learn (about 80 MB, and scikit-learn pulls in most of SciPy), builds a feature panel
of the whole universe (hundreds of MB for a large index) and fits models; in the compute
process all of that would stay resident after the job ended (Python keeps imported
modules, and the C allocator rarely returns a fragmented heap). In a child, it is all given
back when the child exits. The cost is the child's start (importing the compute code,
about 2 s), small beside a training.

The child is started with ``spawn`` (a fresh interpreter: no copy of the parent's event
loop, sockets or pool), runs ``fn(*args, progress=...)``, and sends its progress and then
its result (or its exception) through a pipe. Cancelling the awaiting task stops the child:
SIGTERM first, which the function may turn into a cancellation of its own work (see
:func:`run_async_cancellable`), then SIGKILL after :data:`STOP_GRACE_S`.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import signal
import threading
from collections.abc import Callable, Coroutine
from multiprocessing.connection import Connection
from typing import Any, TypeVar

from chitti.errors import ChittiError

__all__ = ["STOP_GRACE_S", "ChildFailed", "run_async_cancellable", "run_isolated"]

T = TypeVar("T")
Progress = Callable[[float, str], None]

#: How long a cancelled child may take to stop (finish its step, roll back) before SIGKILL.
STOP_GRACE_S = 10.0


class ChildFailed(ChittiError):
    """The child process died without a result (killed, out of memory, a crash)."""


def _child_main(conn: Connection, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
    from chitti.warmup import lean_kernel_loading

    lean_kernel_loading()
    sending = threading.Lock()  # progress may come from worker threads

    def progress(fraction: float, message: str) -> None:
        with sending:
            conn.send(("progress", fraction, message))

    try:
        result = fn(*args, progress=progress)
    except BaseException as exc:  # noqa: BLE001 - every failure goes back to the parent
        try:
            conn.send(("error", exc))
        except Exception:  # an exception that does not pickle: its text then
            conn.send(("error", ChildFailed(f"{type(exc).__name__}: {exc}")))
    else:
        conn.send(("result", result))
    finally:
        conn.close()


def run_async_cancellable(main: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run ``main()`` on a new event loop in the child; SIGTERM cancels it (so a stopped
    job unwinds through its ``finally`` blocks and open transactions roll back)."""

    async def runner() -> T:
        task = asyncio.current_task()
        assert task is not None
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, task.cancel)
        return await main()

    return asyncio.run(runner())


async def run_isolated(fn: Callable[..., T], *args: Any,
                       progress: Progress | None = None) -> T:
    """Return ``fn(*args, progress=...)`` computed in a fresh child process.

    ``fn`` must be a module-level function and ``args`` and its result picklable. Its
    exceptions are raised here (a ``ChittiError`` keeps its class: a ``BadRequest`` stays a
    400); a child that dies without a result raises :class:`ChildFailed`.
    """
    context = multiprocessing.get_context("spawn")
    receive, send = context.Pipe(duplex=False)
    # not a daemon: the work may start processes of its own (a local Dask cluster)
    child = context.Process(target=_child_main, args=(send, fn, args), daemon=False,
                            name=f"chitti-{getattr(fn, '__name__', 'work')}")
    child.start()
    send.close()
    loop = asyncio.get_running_loop()
    inbox: asyncio.Queue[tuple[Any, ...]] = asyncio.Queue()
    # A thread of its own blocks on the pipe (an event-loop reader would make the pipe
    # non-blocking under uvloop, and a long message then arrives half-read).
    reader = threading.Thread(target=_read, args=(receive, loop, inbox), daemon=True,
                              name=f"{child.name}-reader")
    reader.start()
    answered = False
    try:
        while True:
            kind, *payload = await inbox.get()
            if kind == "progress" and progress is not None:
                progress(*payload)
            elif kind in ("result", "error"):
                answered = True
                if kind == "error":
                    raise payload[0]
                return payload[0]  # type: ignore[no-any-return]
            elif kind == "eof":
                await asyncio.to_thread(child.join)
                raise ChildFailed(f"the {child.name} process ended without a result (exit "
                                  f"code {child.exitcode})")
    finally:
        await _stop(child, answered=answered)
        await asyncio.to_thread(reader.join)
        receive.close()


def _read(receive: Connection, loop: asyncio.AbstractEventLoop,
          inbox: asyncio.Queue[tuple[Any, ...]]) -> None:
    # every message of the child, then ("eof",) when its end of the pipe closes
    message: tuple[Any, ...] = ("eof",)
    try:
        while True:
            message = receive.recv()
            if message[0] in ("result", "error"):
                break
            loop.call_soon_threadsafe(inbox.put_nowait, message)
    except (EOFError, OSError):
        message = ("eof",)
    except Exception as exc:  # a reply that does not unpickle here
        message = ("error", ChildFailed(f"unreadable reply from the child: {exc!r}"))
    with contextlib.suppress(RuntimeError):  # the loop is gone: nobody is waiting
        loop.call_soon_threadsafe(inbox.put_nowait, message)


async def _stop(child: Any, *, answered: bool) -> None:
    if not answered and child.exitcode is None:  # cancelled: ask it to stop
        with contextlib.suppress(ProcessLookupError):
            child.terminate()
    await asyncio.to_thread(child.join, STOP_GRACE_S)
    if child.exitcode is None:
        child.kill()
        await asyncio.to_thread(child.join)
