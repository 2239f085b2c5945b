-- A contact list being deleted: its contacts go a batch at a time (a big list in one
-- transaction held the database for half a minute), and meanwhile the list is gone for every
-- other purpose. Its name is freed at once (the row is renamed) for a new list to take.
ALTER TABLE lists ADD COLUMN deleting_since TEXT;
