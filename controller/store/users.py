"""Users, their dial-in PINs and passwords, and user lists (teams)."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Sequence
from typing import Any

from controller.model import users as rules
from controller.model.users import UserError
from controller.store import web_sessions
from controller.store.contacts import utc_now
from controller.store.db import Database

_PUBLIC = "id, username, display_name, role, can_make_calls, pin, disabled, created_at"


def _public(row: sqlite3.Row | None) -> dict[str, Any] | None:
    if row is None:
        return None
    hidden = ("password_hash", "password_version")
    data = {k: row[k] for k in row.keys() if k not in hidden}  # noqa: SIM118
    data["can_make_calls"] = bool(data["can_make_calls"])
    data["disabled"] = bool(data["disabled"])
    return data


def _unique_pin(conn: sqlite3.Connection) -> str:
    for _ in range(1000):
        pin = rules.generate_pin()
        if conn.execute("SELECT 1 FROM users WHERE pin = ?", (pin,)).fetchone() is None:
            return pin
    raise UserError("no_free_pin", "could not find a free PIN")  # pragma: no cover


def create_user(
    db: Database,
    username: str,
    role: str = "volunteer",
    display_name: str = "",
    password: str | None = None,
    can_make_calls: bool = True,
) -> dict[str, Any]:
    """Add a user (validated) with a fresh unique dial-in PIN; ``UserError`` on bad input."""
    name = rules.validate_username(username)
    role = rules.validate_role(role)
    display = rules.validate_display_name(display_name) or name
    password_hash = rules.hash_password(password) if password is not None else None
    with db.write() as conn:
        if conn.execute("SELECT 1 FROM users WHERE username = ?", (name,)).fetchone():
            raise UserError("user_exists", f"there is already a user called {name!r}")
        conn.execute(
            "INSERT INTO users (username, display_name, role, can_make_calls, password_hash,"
            " pin, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (name, display, role, int(can_make_calls), password_hash, _unique_pin(conn), utc_now()),
        )
        row = conn.execute(f"SELECT {_PUBLIC} FROM users WHERE username = ?", (name,)).fetchone()
    user = _public(row)
    assert user is not None
    return user


def get_user(db: Database, username: str) -> dict[str, Any] | None:
    with db.read() as conn:
        row = conn.execute(
            f"SELECT {_PUBLIC} FROM users WHERE username = ?", (username.strip().lower(),)
        ).fetchone()
    return _public(row)


def _require(db: Database, username: str) -> dict[str, Any]:
    user = get_user(db, username)
    if user is None:
        raise UserError("no_such_user", f"no user called {username!r}")
    return user


def all_users(
    db: Database, role: str | None = None, user_list: str | None = None
) -> list[dict[str, Any]]:
    sql = f"SELECT {_PUBLIC} FROM users u WHERE 1=1"
    args: list[Any] = []
    if role:
        sql += " AND role = ?"
        args.append(rules.validate_role(role))
    with db.read() as conn:
        if user_list:
            sql += " AND id IN (SELECT user_id FROM user_list_members WHERE user_list_id = ?)"
            args.append(_list_id(conn, user_list))  # an unknown list is refused
        rows = conn.execute(sql + " ORDER BY username", args).fetchall()
    return [u for u in map(_public, rows) if u is not None]


def not_calling(db: Database, user_ids: list[int]) -> list[int]:
    """Those of ``user_ids`` whose account is locked or no longer allowed to make calls
    (ids of no user, such as simulated volunteers, are not among them)."""
    if not user_ids:
        return []
    marks = ", ".join("?" * len(user_ids))
    with db.read() as conn:
        rows = conn.execute(
            f"SELECT id FROM users WHERE id IN ({marks}) AND (disabled = 1 OR can_make_calls = 0)"
            " ORDER BY id",
            user_ids,
        )
        return [int(r[0]) for r in rows]


def update_user(
    db: Database,
    username: str,
    role: str | None = None,
    display_name: str | None = None,
    can_make_calls: bool | None = None,
    disabled: bool | None = None,
) -> dict[str, Any]:
    """Change role, display name, "make calls" or disabled; all validated before writing."""
    user = _require(db, username)
    changes: dict[str, Any] = {}
    if role is not None:
        changes["role"] = rules.validate_role(role)
    if display_name is not None:
        changes["display_name"] = rules.validate_display_name(display_name) or user["username"]
    if can_make_calls is not None:
        changes["can_make_calls"] = int(can_make_calls)
    if disabled is not None:
        changes["disabled"] = int(disabled)
    if changes:
        sets = ", ".join(f"{k} = ?" for k in changes)
        with db.write() as conn:
            conn.execute(f"UPDATE users SET {sets} WHERE id = ?", [*changes.values(), user["id"]])
            _keep_an_admin(conn, user)
            if disabled:  # a locked account's sign-ins end with it
                web_sessions.revoke_user(db, user["id"], time.time(), web_sessions.LOCKED)
    return _require(db, username)


def _keep_an_admin(conn: sqlite3.Connection, before: dict[str, Any]) -> None:
    """Refuse a change that leaves no enabled admin (the caller's transaction rolls back):
    nobody could manage users or settings from the web any more."""
    if before["role"] != "admin" or before["disabled"]:
        return
    left = conn.execute("SELECT count(*) FROM users WHERE role = 'admin' AND disabled = 0")
    if left.fetchone()[0] == 0:
        raise UserError(
            "last_admin",
            f"{before['username']} is the only enabled admin: make another user admin first",
        )


def set_password(
    db: Database,
    username: str,
    password: str,
    keep_session: str | None = None,
    lifetime: web_sessions.Lifetime = web_sessions.DEFAULT_LIFETIME,
) -> int:
    """Set the password and sign the user out of every browser but ``keep_session`` (the
    session id of the one making the change, if it is theirs); how many were signed out."""
    user = _require(db, username)
    password_hash = rules.hash_password(password)
    with db.write() as conn:
        conn.execute(
            "UPDATE users SET password_hash = ?, password_version = password_version + 1"
            " WHERE id = ?",
            (password_hash, user["id"]),
        )
        reason = web_sessions.PASSWORD_CHANGED
        return web_sessions.revoke_user(db, user["id"], time.time(), reason, keep_session, lifetime)


def sign_out_everywhere(
    db: Database, username: str, lifetime: web_sessions.Lifetime = web_sessions.DEFAULT_LIFETIME
) -> tuple[str, int]:
    """End every session of the user; their username and how many live ones ended."""
    user = _require(db, username)
    reason = web_sessions.SIGNED_OUT_EVERYWHERE
    count = web_sessions.revoke_user(db, user["id"], time.time(), reason, lifetime=lifetime)
    return str(user["username"]), count


def set_pin(db: Database, username: str, pin: str | None = None) -> str:
    """Give the user ``pin`` (validated, unique) or a fresh random one; returns the PIN."""
    user = _require(db, username)
    with db.write() as conn:
        if pin is None:
            pin = _unique_pin(conn)
        else:
            pin = rules.validate_pin(pin)
            other = conn.execute("SELECT id FROM users WHERE pin = ?", (pin,)).fetchone()
            if other is not None and other[0] != user["id"]:
                raise UserError("pin_taken", "that PIN belongs to someone else")
        conn.execute("UPDATE users SET pin = ? WHERE id = ?", (pin, user["id"]))
    return pin


def authenticate(db: Database, username: str, password: str) -> dict[str, Any] | None:
    """The user if the password matches and the account is enabled, else None."""
    with db.read() as conn:
        row = conn.execute(
            "SELECT * FROM users WHERE username = ?", (username.strip().lower(),)
        ).fetchone()
    stored = row["password_hash"] if row is not None else None
    if not rules.verify_password(stored, password) or row is None or row["disabled"]:
        return None
    if stored and rules.needs_rehash(stored):  # same password, stronger hash: nobody signed out
        fresh = rules.hash_password(password)
        with db.write() as conn:
            conn.execute("UPDATE users SET password_hash = ? WHERE id = ?", (fresh, row["id"]))
    return _public(row)


def password_stamp(db: Database, username: str) -> str | None:
    """Which password the account has: changes whenever one is set, by any process (not
    when a stronger hash of the same one is stored); None when there is no such account."""
    with db.read() as conn:
        row = conn.execute(
            "SELECT password_version FROM users WHERE username = ?", (username.strip().lower(),)
        ).fetchone()
    return None if row is None else str(row[0])


def user_by_pin(db: Database, pin: str) -> dict[str, Any] | None:
    """The enabled user allowed to make calls whose dial-in PIN is ``pin`` (None for a
    wrong or malformed PIN, or a user who may not call: to the caller, a wrong PIN)."""
    clean = pin.strip()
    if not clean.isascii() or not clean.isdigit():
        return None
    with db.read() as conn:
        row = conn.execute(
            f"SELECT {_PUBLIC} FROM users WHERE pin = ? AND disabled = 0 AND can_make_calls = 1",
            (clean,),
        ).fetchone()
    return _public(row)


def create_user_list(db: Database, name: str, usernames: Sequence[str] = ()) -> dict[str, Any]:
    """Create a user list with ``usernames`` as members, in one transaction: an unknown
    user (checked first) or a taken name creates nothing."""
    clean = rules.validate_team_name(name)
    users = [_require(db, u) for u in usernames]
    with db.write() as conn:
        if conn.execute("SELECT 1 FROM user_lists WHERE name = ?", (clean,)).fetchone():
            raise UserError("user_list_exists", f"there is already a user list called {clean!r}")
        cur = conn.execute("INSERT INTO user_lists (name) VALUES (?)", (clean,))
        conn.executemany(
            "INSERT OR IGNORE INTO user_list_members (user_list_id, user_id) VALUES (?, ?)",
            [(cur.lastrowid, u["id"]) for u in users],
        )
    return {"id": cur.lastrowid, "name": clean}


def _list_id(conn: sqlite3.Connection, name: str) -> int:
    row = conn.execute("SELECT id FROM user_lists WHERE name = ?", (name.strip(),)).fetchone()
    if row is None:
        raise UserError("no_such_user_list", f"no user list called {name!r}")
    return int(row[0])


def delete_user_list(db: Database, name: str) -> None:
    """Delete a user list; refused while a bank that is not stopped is private to it."""
    with db.write() as conn:
        list_id = _list_id(conn, name)
        rows = conn.execute(
            "SELECT b.id FROM bank_user_lists l JOIN banks b ON b.id = l.bank_id"
            " WHERE l.user_list_id = ? AND b.state != 'stopped' ORDER BY b.id",
            (list_id,),
        )
        banks = [str(r[0]) for r in rows]
        if banks:
            raise UserError(
                "user_list_in_use",
                f"user list {name!r} is in use by bank {', '.join(banks)}:"
                " publish the bank to other user lists (or to everyone) first",
            )
        conn.execute("DELETE FROM user_lists WHERE id = ?", (list_id,))


def set_members(db: Database, name: str, usernames: list[str], add: bool = True) -> int:
    """Add (or remove) users to a list; all names must exist or nothing changes."""
    users = [_require(db, u) for u in usernames]
    with db.write() as conn:
        list_id = _list_id(conn, name)
        before = conn.total_changes
        sql = (
            "INSERT OR IGNORE INTO user_list_members (user_list_id, user_id) VALUES (?, ?)"
            if add
            else "DELETE FROM user_list_members WHERE user_list_id = ? AND user_id = ?"
        )
        conn.executemany(sql, [(list_id, u["id"]) for u in users])
        return conn.total_changes - before


def all_user_lists(db: Database) -> list[dict[str, Any]]:
    with db.read() as conn:
        lists = [dict(r) for r in conn.execute("SELECT id, name FROM user_lists ORDER BY name")]
        for item in lists:
            item["members"] = [
                r[0]
                for r in conn.execute(
                    "SELECT u.username FROM user_list_members m JOIN users u ON u.id = m.user_id"
                    " WHERE m.user_list_id = ? ORDER BY u.username",
                    (item["id"],),
                )
            ]
    return lists
