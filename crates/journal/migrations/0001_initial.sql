-- Slipkeeper journal, schema 1. Append-only: never edit this file once released;
-- add 0002_*.sql instead (crates/journal/tests/journal/migrations.rs checks it).

-- Configuration: terminals Slipkeeper talks to. Not part of the hash chain (it is
-- settings, edited by the user), unlike everything a terminal reported.
CREATE TABLE terminals (
    id          TEXT PRIMARY KEY,
    merchant_id TEXT NOT NULL,
    model       TEXT,
    link        TEXT NOT NULL          -- JSON of domain::Link
) STRICT;

-- Every (terminal, batch) seen. A batch is open until a settlement row exists.
CREATE TABLE batches (
    terminal_id TEXT NOT NULL,
    batch_no    TEXT NOT NULL,
    PRIMARY KEY (terminal_id, batch_no)
) STRICT, WITHOUT ROWID;

CREATE TABLE settlements (
    id            INTEGER PRIMARY KEY,
    terminal_id   TEXT NOT NULL,
    batch_no      TEXT NOT NULL,
    settled_at    TEXT NOT NULL,
    debit_count   INTEGER NOT NULL,
    debit_minor   INTEGER NOT NULL,
    credit_count  INTEGER NOT NULL,
    credit_minor  INTEGER NOT NULL,
    currency      TEXT NOT NULL,
    recorded_at   TEXT NOT NULL,
    UNIQUE (terminal_id, batch_no),
    FOREIGN KEY (terminal_id, batch_no) REFERENCES batches (terminal_id, batch_no)
) STRICT;

CREATE TABLE transactions (
    id                INTEGER PRIMARY KEY,
    terminal_id       TEXT NOT NULL,
    batch_no          TEXT NOT NULL,
    trace_no          TEXT NOT NULL,
    kind              TEXT NOT NULL,
    merchant_id       TEXT NOT NULL,
    outcome           TEXT NOT NULL,
    amount_minor      INTEGER NOT NULL,
    currency          TEXT NOT NULL,
    occurred_at       TEXT NOT NULL,   -- terminal local time, 'YYYY-MM-DD HH:MM:SS[.f]'
    receipt_no        TEXT,
    pan               TEXT,            -- masked only (domain::MaskedPan)
    pan_last4         TEXT,
    scheme            TEXT,
    entry_mode        TEXT,
    expiry            TEXT,
    rrn               TEXT,
    auth_code         TEXT,
    operator_no       TEXT,
    issuer            TEXT,
    acquirer          TEXT,
    original_trace_no TEXT,
    original_rrn      TEXT,
    original_date     TEXT,
    recorded_at       TEXT NOT NULL,   -- UTC, when Slipkeeper stored it
    -- The terminal's own identity of a record: a replay of the same record is a no-op.
    -- Voucher first, so the same index answers "find voucher 000042" on its own.
    UNIQUE (trace_no, terminal_id, batch_no, kind),
    FOREIGN KEY (terminal_id, batch_no) REFERENCES batches (terminal_id, batch_no)
) STRICT;

CREATE INDEX transactions_rrn ON transactions (rrn) WHERE rrn IS NOT NULL;
CREATE INDEX transactions_auth ON transactions (auth_code) WHERE auth_code IS NOT NULL;
CREATE INDEX transactions_last4 ON transactions (pan_last4, amount_minor, occurred_at);
-- Amount without card: the time index narrows to the window, then amounts are compared.
CREATE INDEX transactions_time ON transactions (occurred_at);
CREATE INDEX transactions_original ON transactions (terminal_id, original_trace_no)
    WHERE original_trace_no IS NOT NULL;
CREATE INDEX transactions_original_rrn ON transactions (original_rrn) WHERE original_rrn IS NOT NULL;

-- Printed slip text, one row per copy and origin; lines joined by '\n'.
CREATE TABLE slips (
    id          INTEGER PRIMARY KEY,
    txn_id      INTEGER NOT NULL REFERENCES transactions (id),
    copy        TEXT NOT NULL,
    origin      TEXT NOT NULL,
    text        TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    UNIQUE (txn_id, copy, origin)
) STRICT;

-- Substring search over slip text. Trigrams work for Chinese, which has no spaces;
-- detail=none halves the index and LIKE queries stay exact. Indexing runs after the
-- records commit (Journal::index_slips), so storing a payment never waits on it;
-- search_index.upto says how far it got, and search scans the rest.
CREATE VIRTUAL TABLE slips_fts USING fts5 (
    text, content = 'slips', content_rowid = 'id', tokenize = 'trigram', detail = 'none'
);
CREATE TABLE search_index (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    upto INTEGER NOT NULL
) STRICT;
INSERT INTO search_index (id, upto) VALUES (1, 0);
-- Keep the index true if an indexed slip row is ever changed or removed.
CREATE TRIGGER slips_fts_delete AFTER DELETE ON slips WHEN old.id <= (SELECT upto FROM search_index) BEGIN
    INSERT INTO slips_fts (slips_fts, rowid, text) VALUES ('delete', old.id, old.text);
END;
CREATE TRIGGER slips_fts_update AFTER UPDATE ON slips WHEN old.id <= (SELECT upto FROM search_index) BEGIN
    INSERT INTO slips_fts (slips_fts, rowid, text) VALUES ('delete', old.id, old.text);
    INSERT INTO slips_fts (rowid, text) VALUES (new.id, new.text);
END;

-- Every byte sequence exchanged with a terminal, kept so a later version can re-parse it.
CREATE TABLE raw_frames (
    id          INTEGER PRIMARY KEY,
    terminal_id TEXT NOT NULL,
    direction   TEXT NOT NULL CHECK (direction IN ('rx', 'tx')),
    at          TEXT NOT NULL,
    bytes       BLOB NOT NULL,
    txn_id      INTEGER REFERENCES transactions (id),
    recorded_at TEXT NOT NULL,
    UNIQUE (terminal_id, at, direction, bytes)
) STRICT;

-- Where mirroring of each terminal stopped, to resume from there.
CREATE TABLE sync_cursors (
    terminal_id TEXT NOT NULL,
    name        TEXT NOT NULL,
    value       TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (terminal_id, name)
) STRICT;

CREATE TABLE merchant_profile (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    profile     TEXT NOT NULL          -- JSON, see slipkeeper_journal::MerchantProfile
) STRICT;

-- The hash chain: one entry per stored record, in storage order.
-- hash = SHA-256(previous entry's hash || canonical record), canonical = export line.
CREATE TABLE chain (
    seq    INTEGER PRIMARY KEY,
    kind   TEXT NOT NULL,
    row_id INTEGER NOT NULL,
    label  TEXT NOT NULL,            -- what the record was, to name it even once removed
    hash   BLOB NOT NULL
) STRICT;
