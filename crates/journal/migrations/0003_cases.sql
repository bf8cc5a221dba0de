-- Slipkeeper journal, schema 3: casework with the acquirer.
-- Append-only: never edit this file once released; add 0004_*.sql instead.

-- Evidence packs quote the chain entries of a transaction, its slips and frames.
CREATE INDEX chain_record ON chain (kind, row_id);

-- The user's own acquirer entries and edits of the shipped ones (JSON), by id.
CREATE TABLE acquirers (
    id        TEXT PRIMARY KEY,
    acquirer  TEXT NOT NULL
) STRICT;

-- A problem taken up with the acquirer.
CREATE TABLE cases (
    id                 INTEGER PRIMARY KEY,
    opened_at          TEXT NOT NULL,          -- UTC
    updated_at         TEXT NOT NULL,          -- UTC
    status             TEXT NOT NULL CHECK (status IN ('open', 'submitted', 'waiting', 'won', 'lost', 'withdrawn')),
    complaint          TEXT NOT NULL,
    code               TEXT NOT NULL,          -- diagnosis code when opened
    txn_id             INTEGER REFERENCES transactions (id),
    statement_line_id  INTEGER REFERENCES statement_lines (id),
    acquirer_id        TEXT,
    acquirer_ref       TEXT,                   -- the acquirer's own case number
    due_on             TEXT,                   -- local date the acquirer's answer is due
    lookup             TEXT NOT NULL,          -- JSON: how the owner identified the transaction
    diagnosis          TEXT NOT NULL           -- JSON: the diagnosis as shown when opened
) STRICT;
CREATE INDEX cases_due ON cases (status, due_on);

-- What happened to a case, oldest first: status changes, notes, packs built.
CREATE TABLE case_events (
    id       INTEGER PRIMARY KEY,
    case_id  INTEGER NOT NULL REFERENCES cases (id),
    at       TEXT NOT NULL,                    -- UTC
    kind     TEXT NOT NULL,                    -- opened, status, reference, note, pack
    text     TEXT NOT NULL
) STRICT;
CREATE INDEX case_events_case ON case_events (case_id, id);
