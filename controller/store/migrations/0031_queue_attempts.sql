-- The dialing queue, call attempts, dispositions and script answers.

-- One entry per dialable number of a bank. lane 0 = waiting (sort_key = epoch second it
-- becomes due), lane 1 = fresh (sort_key = -accuracy). zone = the zone key whose calling
-- hours apply. state: ready -> claimed (handed to a dialer) -> dialing (attempt written)
-- -> ready again (retry) or done.
CREATE TABLE queue_entries (
    id INTEGER PRIMARY KEY,
    bank_id INTEGER NOT NULL REFERENCES banks(id) ON DELETE CASCADE,
    e164 TEXT NOT NULL,
    phone_id INTEGER,
    contact_id INTEGER,
    zone TEXT NOT NULL,
    lane INTEGER NOT NULL DEFAULT 1 CHECK (lane IN (0, 1)),
    sort_key REAL NOT NULL DEFAULT 0,
    state TEXT NOT NULL DEFAULT 'ready' CHECK (state IN ('ready', 'claimed', 'dialing', 'done')),
    attempts INTEGER NOT NULL DEFAULT 0,
    claimed_at REAL,
    done_reason TEXT
);
-- The claim query: per bank and open zone, the best ready entries of a lane.
CREATE INDEX queue_ready ON queue_entries (bank_id, zone, lane, sort_key) WHERE state = 'ready';
CREATE INDEX queue_claimed ON queue_entries (bank_id, claimed_at) WHERE state = 'claimed';
CREATE INDEX queue_e164 ON queue_entries (e164);
CREATE UNIQUE INDEX queue_bank_number ON queue_entries (bank_id, e164, ifnull(contact_id, 0));

-- The contacts an entry reaches (one, or a household sharing the number).
CREATE TABLE queue_members (
    entry_id INTEGER NOT NULL REFERENCES queue_entries(id) ON DELETE CASCADE,
    contact_id INTEGER NOT NULL,
    phone_id INTEGER NOT NULL,
    finished INTEGER NOT NULL DEFAULT 0 CHECK (finished IN (0, 1)),
    PRIMARY KEY (entry_id, contact_id)
) WITHOUT ROWID;
CREATE INDEX queue_members_contact ON queue_members (contact_id);

-- The zone keys present in a bank's queue (so claims never scan for them).
CREATE TABLE queue_zones (
    bank_id INTEGER NOT NULL REFERENCES banks(id) ON DELETE CASCADE,
    zone TEXT NOT NULL,
    PRIMARY KEY (bank_id, zone)
) WITHOUT ROWID;

-- Written before the dial; completed as the call progresses. Times are ISO-8601 UTC.
CREATE TABLE call_attempts (
    id INTEGER PRIMARY KEY,
    bank_id INTEGER NOT NULL REFERENCES banks(id),
    entry_id INTEGER,
    contact_id INTEGER,
    phone_id INTEGER,
    e164 TEXT NOT NULL,
    call_id TEXT NOT NULL UNIQUE,
    caller_id TEXT,
    volunteer_id INTEGER,
    started_at TEXT NOT NULL,
    answered_at TEXT,
    ended_at TEXT,
    result TEXT,
    cause TEXT,
    amd_status TEXT
);
CREATE INDEX call_attempts_bank ON call_attempts (bank_id, id);
CREATE INDEX call_attempts_e164 ON call_attempts (e164, started_at);
CREATE INDEX call_attempts_volunteer ON call_attempts (volunteer_id) WHERE volunteer_id IS NOT NULL;

CREATE TABLE dispositions (
    id INTEGER PRIMARY KEY,
    attempt_id INTEGER NOT NULL REFERENCES call_attempts(id),
    bank_id INTEGER NOT NULL REFERENCES banks(id),
    contact_id INTEGER,
    outcome TEXT NOT NULL,
    volunteer_id INTEGER,
    notes TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX dispositions_once ON dispositions (attempt_id, ifnull(contact_id, 0));
CREATE INDEX dispositions_bank ON dispositions (bank_id, contact_id);
CREATE INDEX dispositions_contact ON dispositions (contact_id, outcome);

-- Every answer a volunteer clicked; answers of field-linked blocks also set the field.
CREATE TABLE script_answers (
    id INTEGER PRIMARY KEY,
    attempt_id INTEGER REFERENCES call_attempts(id),
    bank_id INTEGER NOT NULL REFERENCES banks(id),
    contact_id INTEGER NOT NULL,
    block_id TEXT NOT NULL,
    question TEXT NOT NULL DEFAULT '',
    answer TEXT NOT NULL,
    field_id INTEGER,
    volunteer_id INTEGER,
    created_at TEXT NOT NULL
);
CREATE INDEX script_answers_bank ON script_answers (bank_id, contact_id);

-- Volunteer engagement per bank: sent, seen, started, completed, performed, reported.
CREATE TABLE bank_engagement (
    id INTEGER PRIMARY KEY,
    bank_id INTEGER NOT NULL REFERENCES banks(id) ON DELETE CASCADE,
    user_id INTEGER,
    event TEXT NOT NULL
        CHECK (event IN ('sent', 'seen', 'started', 'completed', 'performed', 'reported')),
    at TEXT NOT NULL
);
CREATE INDEX bank_engagement_bank ON bank_engagement (bank_id, event);
