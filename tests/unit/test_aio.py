from __future__ import annotations

import asyncio

from controller.aio import wait_set


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
