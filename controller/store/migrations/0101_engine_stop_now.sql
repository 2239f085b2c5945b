-- "Stop now": the CLI or the web asks the running engine to end a stopped bank's live
-- conversations at once instead of letting them finish (the engine reads and clears it).
CREATE TABLE engine_stop_now (
    bank_id INTEGER PRIMARY KEY REFERENCES banks(id) ON DELETE CASCADE,
    requested_at TEXT NOT NULL,
    actor TEXT NOT NULL DEFAULT ''
);
