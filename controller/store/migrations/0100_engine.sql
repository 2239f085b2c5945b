-- The dialer engine: every pacing decision with its inputs, hangtime per connected call,
-- and volunteer sessions (one row per volunteer per joined bank session).

-- One row per decision a bank's pacer made (dial > 0 or cancel, or a change of reason).
-- inputs: the PacingSnapshot as JSON (replayable); figures: the numbers behind the reason.
CREATE TABLE pacing_decisions (
    id INTEGER PRIMARY KEY,
    bank_id INTEGER NOT NULL REFERENCES banks(id) ON DELETE CASCADE,
    at REAL NOT NULL,
    strategy TEXT NOT NULL,
    dial INTEGER NOT NULL,
    dialed INTEGER NOT NULL DEFAULT 0,
    cancel TEXT NOT NULL DEFAULT '[]',
    ratio REAL NOT NULL DEFAULT 0,
    reason TEXT NOT NULL DEFAULT '',
    figures TEXT NOT NULL DEFAULT '{}',
    inputs TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX pacing_decisions_bank ON pacing_decisions (bank_id, at);

-- Seconds from the callee's answer, and from the AMD verdict, to the volunteer connected.
CREATE TABLE call_hangtimes (
    attempt_id INTEGER PRIMARY KEY REFERENCES call_attempts(id),
    bank_id INTEGER NOT NULL REFERENCES banks(id) ON DELETE CASCADE,
    volunteer_id INTEGER,
    answer_to_connect REAL,
    verdict_to_connect REAL,
    at REAL NOT NULL
);
CREATE INDEX call_hangtimes_bank ON call_hangtimes (bank_id, at);

-- A volunteer's time in a running bank: how they joined, totals when they left.
CREATE TABLE volunteer_sessions (
    id INTEGER PRIMARY KEY,
    bank_id INTEGER NOT NULL REFERENCES banks(id) ON DELETE CASCADE,
    volunteer_id INTEGER NOT NULL,
    conference TEXT NOT NULL,
    via TEXT NOT NULL DEFAULT '',
    joined_at REAL NOT NULL,
    left_at REAL,
    calls_assigned INTEGER NOT NULL DEFAULT 0,
    call_time REAL NOT NULL DEFAULT 0,
    active_time REAL NOT NULL DEFAULT 0
);
CREATE INDEX volunteer_sessions_bank ON volunteer_sessions (bank_id, volunteer_id);
