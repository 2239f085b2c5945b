-- CRM sync: organizers' sync instructions, sync settings and the durable outbox.

-- One instruction per (custom field, value): what to record in VAN when a contact's field
-- takes that value. value '*' matches any value (used for Last Called At).
-- van_kind: 'result_code' (a canvass result such as Not Home), 'survey_response' or
-- 'activist_code' (script answers). Names are resolved to VAN ids when sending.
CREATE TABLE sync_instructions (
    id INTEGER PRIMARY KEY,
    field_id INTEGER NOT NULL REFERENCES custom_fields(id) ON DELETE CASCADE,
    value TEXT NOT NULL COLLATE NOCASE,
    van_kind TEXT NOT NULL
        CHECK (van_kind IN ('result_code', 'survey_response', 'activist_code')),
    contact_type TEXT NOT NULL DEFAULT 'Phone',
    input_type TEXT NOT NULL DEFAULT 'API',
    result_code TEXT,
    survey_question_id INTEGER,
    survey_response_id INTEGER,
    activist_code_id INTEGER,
    activist_action TEXT NOT NULL DEFAULT 'Apply' CHECK (activist_action IN ('Apply', 'Remove')),
    enabled INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    UNIQUE (field_id, value),
    CHECK (van_kind != 'result_code' OR result_code IS NOT NULL),
    CHECK (van_kind != 'survey_response'
           OR (survey_question_id IS NOT NULL AND survey_response_id IS NOT NULL)),
    CHECK (van_kind != 'activist_code' OR activist_code_id IS NOT NULL)
);

-- The advised mapping of Call Outcome values to VAN result codes.
INSERT INTO sync_instructions (field_id, value, van_kind, result_code)
SELECT f.id, m.value, 'result_code', m.code
FROM custom_fields AS f
JOIN (
    SELECT 'Completed' AS value, 'Canvassed' AS code
    UNION ALL SELECT 'No language in common', 'Other Language'
    UNION ALL SELECT 'Wrong Number', 'Wrong Number'
    UNION ALL SELECT 'Refused', 'Refused'
    UNION ALL SELECT 'Deceased', 'Deceased'
    UNION ALL SELECT 'Answering Machine', 'Not Home'
    UNION ALL SELECT 'No Answer', 'Not Home'
    UNION ALL SELECT 'Busy', 'Not Home'
    UNION ALL SELECT 'Not Home', 'Not Home'
    UNION ALL SELECT 'Moved', 'Moved'
) AS m
WHERE f.name = 'Call Outcome';

-- VAN connection and webhook settings (key/value). The API key is stored here and never
-- printed by any command.
CREATE TABLE sync_settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- The outbox: one row per message to one target, written in the same transaction as the
-- fact it reports. status: pending -> sending (claimed under a lease) -> sent | failed;
-- skipped rows never leave (e.g. the contact has no VanID).
-- dedupe_key makes enqueueing idempotent: the same fact is never queued twice per target.
-- in_doubt = 1 when a lease expired while sending (the process died mid-send): the next
-- send may repeat one VAN already accepted (the documented at-least-once window).
CREATE TABLE sync_outbox (
    id INTEGER PRIMARY KEY,
    target TEXT NOT NULL CHECK (target IN ('van', 'webhook')),
    dedupe_key TEXT NOT NULL,
    source_kind TEXT NOT NULL,
    source_id INTEGER,
    contact_id INTEGER,
    bank_id INTEGER,
    instruction_id INTEGER,
    payload TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'skipped')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at REAL NOT NULL DEFAULT 0,
    lease_owner TEXT,
    lease_until REAL,
    in_doubt INTEGER NOT NULL DEFAULT 0,
    error_code TEXT,
    error_text TEXT,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    sent_at TEXT,
    UNIQUE (target, dedupe_key)
);
CREATE INDEX sync_outbox_due ON sync_outbox (target, status, next_attempt_at);
