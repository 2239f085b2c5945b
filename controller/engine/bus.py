"""The in-process event bus: the engine publishes, the web pages (websockets) listen.

Topics: ``figures`` (a bank's live figures, :class:`LiveFigures`), ``call`` (a call changed
state), ``volunteer`` (a volunteer changed state), ``hangtime`` (a connected call's hangtime),
``bank`` (a runner started, paused, drained, stopped). Every message is a plain dict with a
``topic`` and a ``bank_id``. Subscribers are queues (bounded: a slow page loses old messages,
never slows the dialer) or plain callbacks.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

log = logging.getLogger(__name__)

Message = dict[str, Any]


@dataclass(frozen=True)
class LiveFigures:
    """What an organizer watches while a bank runs (one session = since the runner started)."""

    bank_id: int
    state: str = "running"
    calls_remaining: int = 0
    calls_made: int = 0
    assigned: int = 0
    completed: int = 0
    contacts_made: int = 0
    dropped: int = 0
    abandon_rate: float = 0.0
    abandon_budget: float = 0.0
    avg_wait_between: float | None = None  # volunteer: call end -> next connected voter
    avg_call_wait: float | None = None  # callee: answer -> volunteer connected (hangtime)
    hangtime_last: float | None = None
    volunteers_on: int = 0
    volunteers_active: int = 0
    volunteers_idle: int = 0
    volunteers_in_call: int = 0
    in_flight: int = 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class EventBus:
    def __init__(self, queue_size: int = 1000) -> None:
        self._queues: set[asyncio.Queue[Message]] = set()
        self._callbacks: list[Callable[[Message], None]] = []
        self.queue_size = queue_size
        self.latest: dict[tuple[str, int], Message] = {}

    def publish(self, topic: str, bank_id: int, **data: Any) -> None:
        message: Message = {"topic": topic, "bank_id": bank_id, **data}
        self.latest[(topic, bank_id)] = message
        for queue in list(self._queues):
            if queue.full():
                with contextlib.suppress(asyncio.QueueEmpty):
                    queue.get_nowait()
            queue.put_nowait(message)
        for callback in list(self._callbacks):
            try:
                callback(message)
            except Exception:  # a listener's bug never stops the dialer
                log.exception("bus listener failed on %s", topic)

    def subscribe(self) -> asyncio.Queue[Message]:
        queue: asyncio.Queue[Message] = asyncio.Queue(self.queue_size)
        self._queues.add(queue)
        return queue

    def unsubscribe(self, queue: asyncio.Queue[Message]) -> None:
        self._queues.discard(queue)

    def listen(self, callback: Callable[[Message], None]) -> Callable[[], None]:
        self._callbacks.append(callback)
        return lambda: self._callbacks.remove(callback)

    def figures(self, bank_id: int) -> Message | None:
        """The last live figures published for ``bank_id``."""
        return self.latest.get(("figures", bank_id))
