-- Contact lists, contacts and their phone numbers, and the appliance-wide Do Not Call list.

CREATE TABLE lists (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);

-- dedupe_key: "van:<VanID>" when the row has a VAN id, else "np:<first>|<last>|<first e164>"
-- (lower-cased); unique within a list, so re-importing a file adds nothing.
CREATE TABLE contacts (
    id INTEGER PRIMARY KEY,
    list_id INTEGER NOT NULL REFERENCES lists(id) ON DELETE CASCADE,
    van_id TEXT,
    first_name TEXT NOT NULL DEFAULT '',
    last_name TEXT NOT NULL DEFAULT '',
    address TEXT NOT NULL DEFAULT '',
    city TEXT NOT NULL DEFAULT '',
    state TEXT NOT NULL DEFAULT '',
    zip5 TEXT NOT NULL DEFAULT '',
    time_zone TEXT,
    extra TEXT NOT NULL DEFAULT '{}',
    dedupe_key TEXT NOT NULL,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
CREATE UNIQUE INDEX contacts_list_dedupe ON contacts (list_id, dedupe_key);
CREATE INDEX contacts_van_id ON contacts (van_id) WHERE van_id IS NOT NULL;

-- position: the contact's dialing order for its numbers (0 first; by accuracy when given).
CREATE TABLE phones (
    id INTEGER PRIMARY KEY,
    contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    e164 TEXT NOT NULL,
    type TEXT NOT NULL DEFAULT 'other'
        CHECK (type IN ('cell', 'home', 'work', 'optin', 'other')),
    van_phone_id TEXT,
    accuracy REAL,
    position INTEGER NOT NULL DEFAULT 0,
    wrong_number INTEGER NOT NULL DEFAULT 0 CHECK (wrong_number IN (0, 1)),
    UNIQUE (contact_id, e164)
);
CREATE INDEX phones_e164 ON phones (e164);

-- Numbers never to be dialed, by any bank.
CREATE TABLE dnc (
    e164 TEXT PRIMARY KEY,
    reason TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL DEFAULT 'manual',
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
