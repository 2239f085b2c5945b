"""Shared plumbing for CLI commands: settings, database, ``--json`` output, errors."""

from __future__ import annotations

import json
import os
import pwd
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO, TypeVar

import click

from controller import appliance_lock
from controller.config import Settings, SettingsError, load_settings
from controller.store.db import Database, open_database


@dataclass
class AppContext:
    home: Path | None = None
    _settings: Settings | None = field(default=None, repr=False)
    _db: Database | None = field(default=None, repr=False)

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            try:
                self._settings = load_settings(self.home)
            except SettingsError as exc:
                fail(f"{exc}: fix phonebank.toml (docs/operations.md lists the settings)", exc.code)
                raise  # not reached: fail() exits
        return self._settings

    @property
    def db(self) -> Database:
        if self._db is None:
            self._db = open_database(self.settings.db_path)
        return self._db


T = TypeVar("T")

pass_app = click.make_pass_decorator(AppContext, ensure=True)

json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON.")


def emit(data: Any, as_json: bool, text: str | None = None) -> None:
    """Print ``data`` as JSON or ``text`` (defaults to a key: value listing, "-" for a value
    not known yet, such as a hangtime before any call)."""
    if as_json:
        click.echo(json.dumps(data, indent=2, default=str, sort_keys=True))
        return
    if text is None:
        if isinstance(data, dict):
            text = "\n".join(f"{k}: {'-' if v is None else v}" for k, v in data.items())
        else:
            text = str(data)
    click.echo(text)


def write_file(path: Path, write: Callable[[TextIO], T], as_json: bool = False) -> T:
    """Write ``path`` through ``write`` into ``path``.part, renamed once complete (removed
    if anything fails), so a reader never sees half a file; a missing folder, no permission
    or a full disk ends the command with ``cannot_write``."""
    tmp = path.with_name(path.name + ".part")
    try:
        with tmp.open("w", newline="", encoding="utf-8") as fh:
            result = write(fh)
        tmp.replace(path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        fail(f"cannot write {path}: {exc.strerror or exc}", "cannot_write", as_json)
        raise  # not reached: fail() exits
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return result


def fail(message: str, code: str = "error", as_json: bool = False) -> None:
    """Exit non-zero with a clear message (and a machine-readable id under --json)."""
    if as_json:
        click.echo(json.dumps({"error": code, "message": message}), err=True)
    else:
        click.echo(f"Error: {message}", err=True)
    sys.exit(1)


def cli_actor() -> str:
    """Who a command acts as, for a bank's history: the system account running it."""
    try:  # the account itself, not $USER (which anyone can set)
        account = pwd.getpwuid(os.geteuid()).pw_name
    except KeyError:  # no name for this user id
        account = f"uid {os.geteuid()}"
    return f"{account} on the command line"


def plural(count: int, noun: str, many: str | None = None) -> str:
    """``plural(1, "contact")`` -> "1 contact"; ``plural(2500, "row")`` -> "2,500 rows"."""
    return f"{count:,} {noun if count == 1 else many or noun + 's'}"


def not_dialing_note(app: AppContext) -> str:
    """A sentence for messages about dialing when the appliance is not running on this
    home (nothing dials until ``phonebank run``); "" while it runs."""
    if appliance_lock.running(app.settings.home):
        return ""
    return " The appliance is not running: nothing dials until `phonebank run` (or `make run`)."
