"""The steps of the bank page's buttons (publish, who sees it, pause, resume, stop) and the
organizer's wording when one is refused."""

from __future__ import annotations

from collections.abc import Callable

from aiohttp import web

from controller.model import banks as model
from controller.model.banks import Bank
from web.views.admin_common import sentence


def step_of(action: str, lists: list[int]) -> Callable[[Bank], Bank]:
    if action == "publish":  # a draft's first publish; who sees a published bank: "visibility"
        return lambda b: model.publish(
            _unpublished(b), "private" if lists else "public", tuple(lists)
        )
    if action == "visibility":
        return lambda b: model.publish(b, "private" if lists else "public", tuple(lists))
    if action in ("pause", "resume", "stop"):
        step: Callable[[Bank], Bank] = getattr(model, action)
        return step
    raise web.HTTPNotFound()


def _unpublished(bank: Bank) -> Bank:
    """The bank, if *Publish* (a stale page, a second tab) would not change who sees it."""
    if model.is_published(bank):
        raise model.BankError(
            "already_published",
            'This bank is already published: change who sees it under "Who sees it"',
        )
    return bank


def plain_message(action: str, exc: Exception, bank: Bank) -> str:
    """The organizer's wording for a refused step (the code stays the model's)."""
    code = getattr(exc, "code", "")
    if code == "outside_window" and action == "start":
        return "This bank cannot start before its campaign window opens (or after it ends)."
    if bank.state is model.State.STOPPED and action in ("start", "resume"):
        return "A stopped bank cannot be restarted."
    return sentence(str(exc))
