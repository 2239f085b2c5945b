-- Custom fields (survey answers and imported columns), their values per contact, and tags.

CREATE TABLE custom_fields (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
    kind TEXT NOT NULL
        CHECK (kind IN ('choice', 'text', 'number', 'date', 'yesno', 'timestamp')),
    options TEXT NOT NULL DEFAULT '[]',
    is_default INTEGER NOT NULL DEFAULT 0 CHECK (is_default IN (0, 1)),
    builtin INTEGER NOT NULL DEFAULT 0 CHECK (builtin IN (0, 1)),
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);

INSERT INTO custom_fields (name, kind, options, is_default, builtin)
VALUES ('Last Called At', 'timestamp', '[]', 1, 1);
INSERT INTO custom_fields (name, kind, options, is_default, builtin)
VALUES (
    'Call Outcome', 'choice',
    '["Completed", "Answering Machine", "No Answer", "Busy", "Not Home", "Wrong Number", '
    || '"Moved", "Deceased", "Refused", "No language in common", "Do Not Call", '
    || '"Failed / Bad Number", "Dropped"]',
    1, 1
);

-- One current value per contact and field; bank_id records which bank set it (if any).
CREATE TABLE contact_field_values (
    contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    field_id INTEGER NOT NULL REFERENCES custom_fields(id) ON DELETE CASCADE,
    value TEXT NOT NULL,
    bank_id INTEGER,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (contact_id, field_id)
);
CREATE INDEX contact_field_values_field ON contact_field_values (field_id);

CREATE TABLE tags (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE
);

CREATE TABLE contact_tags (
    contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    tag_id INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
    bank_id INTEGER,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    PRIMARY KEY (contact_id, tag_id)
);
CREATE INDEX contact_tags_tag ON contact_tags (tag_id);
