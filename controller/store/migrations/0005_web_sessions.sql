-- Signed-in browser sessions, so a sign-in can be taken back (sign out, password change,
-- "sign out everywhere", a locked account). The cookie carries a random session id; only
-- its SHA-256 is kept here. Times are Unix seconds. Anonymous visits never get a row.

CREATE TABLE web_sessions (
    id INTEGER PRIMARY KEY,
    id_hash TEXT NOT NULL UNIQUE,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created REAL NOT NULL,
    last_seen REAL NOT NULL,
    revoked_at REAL,
    revoked_reason TEXT,
    user_agent TEXT NOT NULL DEFAULT ''
);
CREATE INDEX web_sessions_user ON web_sessions (user_id, revoked_at);
