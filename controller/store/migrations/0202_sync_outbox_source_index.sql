-- The rows an attempt queued are found by their source (released when the call is carried,
-- withdrawn when the phone network never carried it): without this index each lookup scanned
-- the whole outbox, which keeps its sent rows, twice per answered call.
CREATE INDEX sync_outbox_source ON sync_outbox (source_kind, source_id);
