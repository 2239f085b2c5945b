"""Session records on the real database file: expiry, revocation, keeping one, pruning."""

from __future__ import annotations

import time

from argon2 import PasswordHasher

from controller.store import users, web_sessions
from controller.store.db import Database

LIFE = web_sessions.Lifetime(idle_seconds=600, absolute_seconds=3600)
T0 = 1_700_000_000.0


def test_given_a_record_when_idle_or_absolute_time_passes_then_it_is_no_longer_active(
    db: Database,
) -> None:
    uid = int(users.create_user(db, "ana")["id"])
    web_sessions.open_session(db, "sid-1", uid, T0, "Firefox on Linux")
    assert web_sessions.active_user(db, "sid-1", T0 + 600, LIFE) is not None
    assert web_sessions.active_user(db, "sid-1", T0 + 601, LIFE) is None  # idle
    for step in range(1, 7):
        assert web_sessions.touch(db, "sid-1", T0 + step * 590, LIFE)
    assert web_sessions.active_user(db, "sid-1", T0 + 3540, LIFE) is not None
    assert web_sessions.active_user(db, "sid-1", T0 + 3601, LIFE) is None  # absolute, though seen
    assert web_sessions.active_user(db, "", T0, LIFE) is None
    assert web_sessions.active_user(db, "never-issued", T0, LIFE) is None


def test_given_an_expired_or_revoked_record_when_touched_then_it_stays_ended(
    db: Database,
) -> None:
    uid = int(users.create_user(db, "ana")["id"])
    web_sessions.open_session(db, "idle", uid, T0)
    web_sessions.open_session(db, "gone", uid, T0)
    web_sessions.revoke(db, "gone", T0 + 1)
    assert not web_sessions.touch(db, "idle", T0 + 601, LIFE)  # a late push revives nothing
    assert web_sessions.active_user(db, "idle", T0 + 602, LIFE) is None
    assert not web_sessions.touch(db, "gone", T0 + 2, LIFE)
    assert web_sessions.active_user(db, "gone", T0 + 3, LIFE) is None
    with db.read() as conn:
        seen = [r[0] for r in conn.execute("SELECT last_seen FROM web_sessions ORDER BY id")]
    assert seen == [T0, T0]


def test_given_a_live_session_then_its_user_comes_with_it_and_an_ended_one_gives_none(
    db: Database,
) -> None:
    uid = int(users.create_user(db, "ana", display_name="Ana", role="manager")["id"])
    web_sessions.open_session(db, "sid", uid, T0)
    user = web_sessions.active_user(db, "sid", T0 + 1, LIFE)
    assert user is not None
    assert (user["id"], user["username"], user["display_name"], user["role"]) == (
        uid,
        "ana",
        "Ana",
        "manager",
    )
    assert (user["can_make_calls"], user["disabled"]) == (1, 0)
    with db.write() as conn:  # locked behind the store's back: its sign-ins stay recorded
        conn.execute("UPDATE users SET disabled = 1 WHERE id = ?", (uid,))
    locked = web_sessions.active_user(db, "sid", T0 + 2, LIFE)
    assert locked is not None and locked["disabled"] == 1  # the web layer refuses it
    assert web_sessions.active_user(db, "sid", T0 + 602, LIFE) is None  # idle
    assert web_sessions.active_user(db, "", T0, LIFE) is None


def test_given_three_sessions_when_revoking_all_but_one_then_only_it_stays_and_reasons_recorded(
    db: Database,
) -> None:
    ana = int(users.create_user(db, "ana")["id"])
    bob = int(users.create_user(db, "bob")["id"])
    for sid in ("a1", "a2", "a3"):
        web_sessions.open_session(db, sid, ana, T0)
    web_sessions.open_session(db, "b1", bob, T0)
    reason = web_sessions.SIGNED_OUT_ELSEWHERE
    assert web_sessions.revoke_user(db, ana, T0 + 1, reason, keep="a2") == 2
    assert [r["id_hash"] for r in web_sessions.for_user(db, ana, T0 + 2, LIFE)] == [
        web_sessions.hash_id("a2")
    ]
    assert web_sessions.active_user(db, "b1", T0 + 2, LIFE) is not None  # other users untouched
    assert web_sessions.revoke(db, "a1", T0 + 3) is False  # already ended
    with db.read() as conn:
        stored = [dict(r) for r in conn.execute("SELECT * FROM web_sessions")]
    by_hash = {r["id_hash"]: r for r in stored}
    assert by_hash[web_sessions.hash_id("a1")]["revoked_reason"] == reason
    raw_ids = {"a1", "a2", "a3", "b1"}
    assert not [v for row in stored for v in row.values() if str(v) in raw_ids]  # only hashes


def test_given_a_password_set_when_keeping_one_session_then_the_rest_are_revoked(
    db: Database,
) -> None:
    uid = int(users.create_user(db, "ana", password="first passphrase")["id"])
    now = time.time()  # set_password reads the clock: these sessions are live
    web_sessions.open_session(db, "mine", uid, now)
    web_sessions.open_session(db, "laptop", uid, now)
    assert users.set_password(db, "ana", "second passphrase", keep_session="mine") == 1
    assert web_sessions.active_user(db, "mine", now, LIFE) is not None
    assert web_sessions.active_user(db, "laptop", now, LIFE) is None
    assert users.set_password(db, "ana", "third passphrase") == 1  # and then the last one


def test_given_a_live_and_a_long_expired_session_when_revoking_the_user_then_one_is_counted(
    db: Database,
) -> None:
    uid = int(users.create_user(db, "ana")["id"])
    web_sessions.open_session(db, "old", uid, T0 - 86400)
    web_sessions.open_session(db, "new", uid, T0)
    reason = web_sessions.SIGNED_OUT_EVERYWHERE
    assert web_sessions.revoke_user(db, uid, T0 + 1, reason, lifetime=LIFE) == 1
    with db.read() as conn:
        ended = conn.execute("SELECT count(*) FROM web_sessions WHERE revoked_at IS NOT NULL")
        assert ended.fetchone()[0] == 2  # the expired one is marked too
    assert web_sessions.revoke_user(db, uid, T0 + 2, reason, lifetime=LIFE) == 0


def test_given_an_old_style_hash_when_signing_in_upgrades_it_then_nobody_is_signed_out(
    db: Database,
) -> None:
    uid = int(users.create_user(db, "ana", password="first passphrase")["id"])
    weak = PasswordHasher(time_cost=1, memory_cost=8192).hash("first passphrase")
    with db.write() as conn:
        conn.execute("UPDATE users SET password_hash = ? WHERE id = ?", (weak, uid))
    web_sessions.open_session(db, "laptop", uid, T0)
    assert users.authenticate(db, "ana", "first passphrase") is not None
    with db.read() as conn:
        upgraded = conn.execute("SELECT password_hash FROM users WHERE id = ?", (uid,)).fetchone()
    assert upgraded[0] != weak  # rehashed with today's settings
    assert web_sessions.active_user(db, "laptop", T0, LIFE) is not None
