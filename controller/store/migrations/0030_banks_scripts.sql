-- Call scripts, phone banks and their lifecycle history.

CREATE TABLE scripts (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);

-- settings: the full BankSettings as JSON; a few are copied into columns so queries
-- (queue holds across banks, listings) need not parse JSON.
CREATE TABLE banks (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'draft'
        CHECK (state IN ('draft', 'published', 'running', 'paused', 'stopped')),
    visibility TEXT CHECK (visibility IS NULL OR visibility IN ('public', 'private')),
    list_id INTEGER NOT NULL REFERENCES lists(id),
    script_id INTEGER REFERENCES scripts(id),
    settings TEXT NOT NULL,
    prevent_frequent INTEGER NOT NULL DEFAULT 1 CHECK (prevent_frequent IN (0, 1)),
    suppress_hours INTEGER,
    ever_started INTEGER NOT NULL DEFAULT 0 CHECK (ever_started IN (0, 1)),
    scheduled_start TEXT,
    queue_built_at TEXT,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
CREATE INDEX banks_state ON banks (state);

CREATE TABLE bank_user_lists (
    bank_id INTEGER NOT NULL REFERENCES banks(id) ON DELETE CASCADE,
    user_list_id INTEGER NOT NULL REFERENCES user_lists(id) ON DELETE CASCADE,
    PRIMARY KEY (bank_id, user_list_id)
);

CREATE TABLE bank_transitions (
    id INTEGER PRIMARY KEY,
    bank_id INTEGER NOT NULL REFERENCES banks(id) ON DELETE CASCADE,
    from_state TEXT NOT NULL,
    to_state TEXT NOT NULL,
    actor TEXT NOT NULL DEFAULT '',
    at TEXT NOT NULL
);
CREATE INDEX bank_transitions_bank ON bank_transitions (bank_id, id);
