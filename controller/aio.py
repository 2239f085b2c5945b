"""Small asyncio helpers shared by the long-running loops."""

from __future__ import annotations

import asyncio
import logging


async def wait_set(event: asyncio.Event, timeout: float) -> bool:
    """Wait up to ``timeout`` seconds for ``event``; True when it is set.

    Unlike ``asyncio.wait_for`` on Python 3.11, a cancellation that arrives as the event is
    set is never swallowed, so a loop built on this always stops when its task is cancelled.
    """
    try:
        async with asyncio.timeout(timeout):
            await event.wait()
    except TimeoutError:
        return False
    return True


def keep(tasks: set[asyncio.Task[object]], task: asyncio.Task[object], log: logging.Logger) -> None:
    """Hold ``task`` in ``tasks`` until it ends; a failure is logged with its traceback
    instead of "Task exception was never retrieved" at garbage collection."""
    tasks.add(task)

    def done(t: asyncio.Task[object]) -> None:
        tasks.discard(t)
        if not t.cancelled() and t.exception() is not None:
            log.error("background task %s failed", t.get_name(), exc_info=t.exception())

    task.add_done_callback(done)
