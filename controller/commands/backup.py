"""``phonebank backup``: a copy of the database to keep somewhere safe."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import click

from controller.commands.common import AppContext, emit, fail, json_option, pass_app


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace FILE if it exists.")
@json_option
@pass_app
def backup(app: AppContext, file: Path, force: bool, as_json: bool) -> None:
    """Copy the database (contacts, banks, calls, outcomes, users) into FILE, while the
    appliance runs: the copy is one consistent moment, readable by its owner only, and
    checked before this says it is done. Restore by stopping the appliance and putting the
    copy in place of phonebank.db (and removing phonebank.db-wal and -shm). Secrets
    (secrets.toml) and settings (phonebank.toml) are separate files: keep them too."""
    if file.exists() and not force:
        fail(f"{file} exists: choose another name, or --force to replace it", "file_exists",
             as_json)  # fmt: skip
    part = file.with_name(file.name + ".part")
    part.unlink(missing_ok=True)
    try:
        check = app.db.backup(part)
        if check != "ok":
            fail(f"the copy did not check out ({check}); nothing was kept", "backup_bad", as_json)
        part.replace(file)
    except (OSError, sqlite3.Error) as exc:
        fail(f"cannot write {file}: {getattr(exc, 'strerror', None) or exc}", "cannot_write",
             as_json)  # fmt: skip
    finally:
        part.unlink(missing_ok=True)
    size = file.stat().st_size
    emit({"path": str(file), "bytes": size, "integrity": "ok"}, as_json,
         f"Backed up the database to {file} ({size:,} bytes, checked).")  # fmt: skip


COMMANDS = [backup]
