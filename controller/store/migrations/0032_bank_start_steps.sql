-- A start building its queue in steps records how many numbers the queue will hold, so the
-- pages and `phonebank bank status` can say how far it has got (or where an interrupted
-- start stopped). Whether a start is building now is told by a lock file beside the database.
ALTER TABLE banks ADD COLUMN queue_steps_total INTEGER;
