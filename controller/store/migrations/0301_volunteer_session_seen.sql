-- A volunteer session's totals are written every half minute while it is open (seen_at: when
-- they were last written), so an engine that stops without closing it loses at most that:
-- its next start closes the session at seen_at with those totals.
ALTER TABLE volunteer_sessions ADD COLUMN seen_at REAL;
