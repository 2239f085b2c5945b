-- People who use the appliance, and user lists (teams).

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE COLLATE NOCASE,
    display_name TEXT NOT NULL DEFAULT '',
    role TEXT NOT NULL DEFAULT 'volunteer' CHECK (role IN ('admin', 'manager', 'volunteer')),
    can_make_calls INTEGER NOT NULL DEFAULT 1 CHECK (can_make_calls IN (0, 1)),
    password_hash TEXT,
    pin TEXT UNIQUE CHECK (pin IS NULL OR (length(pin) >= 6 AND pin NOT GLOB '*[^0-9]*')),
    disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);

CREATE TABLE user_lists (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE
);

CREATE TABLE user_list_members (
    user_list_id INTEGER NOT NULL REFERENCES user_lists(id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    PRIMARY KEY (user_list_id, user_id)
);
CREATE INDEX user_list_members_user ON user_list_members (user_id);
