-- A queue entry's attempts (a number's network failures, the last call a household member
-- had, the reports left unfiled at a restart) are read by entry: without this index each of
-- those reads scanned every attempt of every bank, once per failed call in a trunk outage.
CREATE INDEX call_attempts_entry ON call_attempts (entry_id, id);
CREATE INDEX call_attempts_contact ON call_attempts (contact_id, started_at);
