"""The CLI's id arguments: the same strict parse as the web (ASCII digits that fit the store)."""

from __future__ import annotations

from typing import Any

import click

from controller.ids import ID_MAX, parse_id


class IdType(click.ParamType):
    """A whole number 0..2**63-1; anything else is a usage error, never a traceback."""

    name = "id"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        number = parse_id(value)
        if number is None:
            self.fail(f"{value!r} is not an id (a whole number from 0 to {ID_MAX}).", param, ctx)
        return number


ID = IdType()
