"""The controller's one AMI session to its Asterisk, on panoramisk 1.4.

:class:`AmiSession` connects and logs in, publishes every event (typed, see ``ami_events``) to
its subscribers in arrival order, and keeps the connection alive on its own terms:

- a watchdog sends ``Ping`` every ``ping_interval`` seconds and drops the connection when no
  reply comes within ``ping_timeout`` (a frozen or silently cut peer looks connected forever);
- after any loss it reconnects with exponential backoff, logs in again and publishes a
  ``CoreShowChannels`` listing so that subscribers (the tracker) re-sync their view;
- it never re-sends an action after a reconnect: panoramisk would re-send unanswered actions
  (an Originate twice is a second call to a voter), so every action still pending when the
  connection goes fails with ``AmiError(code="disconnected")`` and the caller decides.

Its settings (:class:`AmiConfig`, :func:`ami_config`) are in ``ami_settings``, re-exported
here; panoramisk's Manager, adapted to these rules, is in ``ami_manager``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Mapping
from typing import Any

from controller.errors import PhonebankError
from controller.telephony import ami_events as ev
from controller.telephony.ami_manager import SessionManager, SessionProtocol
from controller.telephony.ami_settings import AmiConfig as AmiConfig
from controller.telephony.ami_settings import ami_config as ami_config
from controller.telephony.ami_settings import backoff_delays as backoff_delays

log = logging.getLogger(__name__)

Subscriber = Callable[[ev.AmiEvent], None]


class AmiError(PhonebankError):
    """An AMI failure with a machine-readable ``code`` (``not_connected``, ``disconnected``,
    ``timeout``, ``login_failed``, ``action_failed``, ...). A :class:`PhonebankError`, so the
    web and CLI answer it like any other refusal; ``message`` is Asterisk's own text (may be
    empty)."""

    def __init__(self, code: str, message: str = "", response: Mapping[str, Any] | None = None):
        super().__init__(code, message)
        self.response = dict(response or {})

    def __str__(self) -> str:
        return f"{self.code}: {self.message}" if self.message else self.code


class AmiSession:
    """Connects in the background; ``await wait_connected()`` before sending actions."""

    def __init__(self, config: AmiConfig) -> None:
        self.config = config
        self.generation = 0
        self.last_error: AmiError | None = None
        self._subscribers: list[Subscriber] = []
        self._manager: SessionManager | None = None
        self._ready = asyncio.Event()
        self._lost = asyncio.Event()
        self._booted = asyncio.Event()
        self._pending: set[asyncio.Future[Any]] = set()
        self._task: asyncio.Task[None] | None = None
        self._closing = False

    # -- public ----------------------------------------------------------------------------

    @property
    def connected(self) -> bool:
        return self._ready.is_set()

    def subscribe(self, subscriber: Subscriber) -> Callable[[], None]:
        """Call ``subscriber(event)`` for every event, in order; returns an unsubscribe."""
        self._subscribers.append(subscriber)

        def unsubscribe() -> None:
            with contextlib.suppress(ValueError):
                self._subscribers.remove(subscriber)

        return unsubscribe

    def start(self) -> None:
        if self._task is None:
            self._closing = False
            self._task = asyncio.get_running_loop().create_task(self._run(), name="ami-session")

    async def wait_connected(self, timeout: float | None = None) -> None:
        try:
            await asyncio.wait_for(self._ready.wait(), timeout)
        except TimeoutError:
            raise AmiError("not_connected", str(self.last_error or "")) from None

    async def close(self) -> None:
        self._closing = True
        if self._manager is not None and self.connected:
            with contextlib.suppress(AmiError):
                await self.send({"Action": "Logoff"}, timeout=1.0)
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def send(
        self, action: Mapping[str, Any], *, timeout: float | None = -1, as_list: bool | None = None
    ) -> Any:
        """Send one action; returns panoramisk's Message (or list of them for lists).

        ``timeout=-1`` uses the configured action timeout, ``None`` waits as long as the
        connection lives (an async Originate). Raises ``AmiError`` ``not_connected`` before
        sending, ``disconnected`` if the connection went while waiting, ``timeout``.
        """
        if not self.connected or self._manager is None:
            raise AmiError("not_connected", f"AMI not connected ({self.last_error or 'starting'})")
        return await self._request(self._manager, action, timeout=timeout, as_list=as_list)

    def publish(self, headers: Mapping[str, Any]) -> None:
        """Publish an event the session makes up itself (adds a Timestamp if missing)."""
        self._publish_raw(headers)

    # -- connection lifecycle --------------------------------------------------------------

    async def _run(self) -> None:
        delays = backoff_delays(self.config.backoff_initial, self.config.backoff_max)
        while not self._closing:
            manager = self._new_manager()
            reason = "closed"
            try:
                await self._connect(manager)
                delays = backoff_delays(self.config.backoff_initial, self.config.backoff_max)
                reason = await self._watch(manager)
            except (OSError, TimeoutError) as exc:
                reason = "connect_failed"
                self.last_error = AmiError("connect_failed", str(exc) or type(exc).__name__)
            except AmiError as exc:
                reason = exc.code
                self.last_error = exc
            finally:
                self._teardown(manager, reason if not self._closing else "closed")
            if not self._closing:
                delay = next(delays)
                log.warning("AMI connection down (%s); retrying in %.2fs", reason, delay)
                await asyncio.sleep(delay)

    def _new_manager(self) -> SessionManager:
        """A fresh panoramisk Manager per connection (made inside the running loop)."""
        self._lost, self._booted = asyncio.Event(), asyncio.Event()
        self._manager = SessionManager(
            self,
            host=self.config.host,
            port=self.config.port,
            loop=asyncio.get_running_loop(),
            ping_delay=3600,
            protocol_factory=SessionProtocol,
        )
        return self._manager

    async def _connect(self, manager: SessionManager) -> None:
        cfg = self.config
        await asyncio.wait_for(manager.connect(), cfg.connect_timeout)
        if manager.protocol is None:
            await asyncio.sleep(0)  # let panoramisk's connection_made callback run
        login = {"Action": "Login", "Username": cfg.username, "Secret": cfg.secret}
        reply = await self._request(manager, login | {"Events": "on"}, timeout=cfg.action_timeout)
        if not reply.success:
            raise AmiError("login_failed", str(reply.get("Message", "")), reply)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._booted.wait(), cfg.boot_timeout)
        self.generation += 1
        manager.established = True
        self.publish({"Event": ev.SESSION_CONNECTED, "Generation": str(self.generation)})
        await self._resync(manager)
        self.last_error = None
        self._ready.set()
        log.info("AMI connected to %s:%s (generation %d)", cfg.host, cfg.port, self.generation)

    async def _resync(self, manager: SessionManager) -> None:
        action = {"Action": "CoreShowChannels"}
        items = await self._request(manager, action, timeout=self.config.action_timeout)
        for item in items if isinstance(items, list) else [items]:
            if "Event" in item:
                self._publish_raw(item)

    async def _watch(self, manager: SessionManager) -> str:
        """Returns the reason the connection ended."""
        lost = asyncio.ensure_future(self._lost.wait())
        try:
            while True:
                done, _ = await asyncio.wait({lost}, timeout=self.config.ping_interval)
                if done:
                    return "connection_lost"
                try:
                    await self._request(
                        manager, {"Action": "Ping"}, timeout=self.config.ping_timeout
                    )
                except AmiError as exc:
                    if exc.code == "timeout":
                        self.last_error = AmiError("ping_timeout", "no reply to Ping")
                        return "ping_timeout"
                    raise
        finally:
            lost.cancel()

    def _connection_lost(self, manager: SessionManager, reason: str) -> None:
        if manager is self._manager:
            self._ready.clear()
            self._lost.set()
            self._fail_pending(reason)

    def _fail_pending(self, reason: str) -> None:
        """Every action still waiting fails now: none is ever sent again by the session."""
        for future in list(self._pending):
            if not future.done():
                future.set_exception(AmiError("disconnected", f"connection ended: {reason}"))
        self._pending.clear()

    def _teardown(self, manager: SessionManager, reason: str) -> None:
        self._ready.clear()
        if manager is self._manager:
            self._manager = None
        protocol = getattr(manager, "protocol", None)
        transport = getattr(protocol, "transport", None)
        manager.close()
        if transport is not None:
            transport.abort()
        manager.awaiting_actions.clear()
        self._fail_pending(reason)
        if manager.established:
            lost = {"Event": ev.SESSION_LOST, "Generation": str(self.generation)}
            self.publish(lost | {"Reason": reason})

    async def _request(
        self,
        manager: SessionManager,
        action: Mapping[str, Any],
        *,
        timeout: float | None = -1,
        as_list: bool | None = None,
    ) -> Any:
        if timeout is not None and timeout < 0:
            timeout = self.config.action_timeout
        if manager.protocol is None:
            raise AmiError("not_connected", "no transport")
        future = manager.send_action(dict(action), as_list=as_list)
        self._pending.add(future)
        try:
            return await asyncio.wait_for(asyncio.shield(future), timeout)
        except TimeoutError:
            raise AmiError("timeout", f"no reply to {action.get('Action')}") from None
        finally:
            self._pending.discard(future)

    def _on_event(self, message: Any) -> None:
        if str(message.get("Event", "")).lower() == "fullybooted":
            self._booted.set()
        self._publish_raw(message)

    def _publish_raw(self, headers: Mapping[str, Any]) -> None:
        raw = ev.normalize(headers)
        if not any(k.lower() == "timestamp" for k in raw):
            raw["Timestamp"] = f"{time.time():.6f}"
        event = ev.parse_event(raw)
        for subscriber in list(self._subscribers):
            try:
                subscriber(event)
            except Exception:  # a subscriber's bug must not stop the others or the session
                log.exception("AMI subscriber %r failed on %s", subscriber, event.name)
