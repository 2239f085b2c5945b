-- The contact lists in use: every list but one being deleted (list_delete.py). Reads of a
-- list by id or name go through this view, so a list being deleted is gone everywhere at once.
CREATE VIEW live_lists AS SELECT id, name, created_at FROM lists WHERE deleting_since IS NULL;
