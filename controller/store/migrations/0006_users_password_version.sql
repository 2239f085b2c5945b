-- How many times the account's password was set (by any process): sign-in pauses counted
-- against one password are lifted once another is set. A stronger hash of the same password,
-- stored at a sign-in, does not count.

ALTER TABLE users ADD COLUMN password_version INTEGER NOT NULL DEFAULT 0;
