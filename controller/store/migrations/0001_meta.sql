-- Appliance-wide key/value facts (install id, demo seeded, ...).
CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
