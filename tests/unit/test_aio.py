from __future__ import annotations

import asyncio
import logging

import pytest

from controller.aio import keep, wait_set


async def test_given_event_set_when_waiting_then_true_and_timeout_gives_false() -> None:
    event = asyncio.Event()
    assert await wait_set(event, 0.01) is False
    event.set()
    assert await wait_set(event, 0.01) is True


async def test_given_loop_on_wait_set_when_cancelled_as_event_fires_then_it_always_stops() -> None:
    event = asyncio.Event()

    async def loop() -> None:
        while True:
            await wait_set(event, 0.01)
            event.clear()

    for i in range(100):
        task = asyncio.create_task(loop())
        await asyncio.sleep(0.002 * (i % 5))
        event.set()
        task.cancel()
        done, _ = await asyncio.wait({task}, timeout=1.0)
        assert task in done and task.cancelled()


async def test_given_a_kept_task_when_it_fails_then_logged_and_let_go(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def boom() -> None:
        raise RuntimeError("hang-up refused")

    async def fine() -> None:
        return None

    tasks: set[asyncio.Task[object]] = set()
    log = logging.getLogger("phonebank.test.keep")
    with caplog.at_level(logging.ERROR, logger="phonebank.test.keep"):
        keep(tasks, asyncio.ensure_future(boom()), log)
        keep(tasks, asyncio.ensure_future(fine()), log)
        assert len(tasks) == 2
        await asyncio.sleep(0.01)
    assert tasks == set()
    [record] = caplog.records
    assert "failed" in record.getMessage() and record.exc_info is not None
    assert "hang-up refused" in str(record.exc_info[1])
