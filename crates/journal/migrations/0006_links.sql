-- The terminal links the background service runs (written by the Connect screen and
-- `slipkeeper link add`): one row each, the link as JSON.
CREATE TABLE links (
    id         INTEGER PRIMARY KEY,
    config     TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
