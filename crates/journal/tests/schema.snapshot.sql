-- index case_events_case
CREATE INDEX case_events_case ON case_events (case_id, id);
-- index cases_due
CREATE INDEX cases_due ON cases (status, due_on);
-- index chain_record
CREATE INDEX chain_record ON chain (kind, row_id);
-- index statement_lines_amount
CREATE INDEX statement_lines_amount ON statement_lines (amount_minor, occurred_at);
-- index statement_lines_auth
CREATE INDEX statement_lines_auth ON statement_lines (auth_code);
-- index statement_lines_last4
CREATE INDEX statement_lines_last4 ON statement_lines (last4, occurred_at);
-- index statement_lines_rrn
CREATE INDEX statement_lines_rrn ON statement_lines (rrn);
-- index statement_lines_time
CREATE INDEX statement_lines_time ON statement_lines (occurred_at);
-- index statement_lines_trace
CREATE INDEX statement_lines_trace ON statement_lines (trace_no, terminal_id);
-- index transactions_amount
CREATE INDEX transactions_amount ON transactions (amount_minor, occurred_at);
-- index transactions_auth
CREATE INDEX transactions_auth ON transactions (auth_code) WHERE auth_code IS NOT NULL;
-- index transactions_last4
CREATE INDEX transactions_last4 ON transactions (pan_last4, amount_minor, occurred_at);
-- index transactions_original
CREATE INDEX transactions_original ON transactions (terminal_id, original_trace_no)
    WHERE original_trace_no IS NOT NULL;
-- index transactions_original_rrn
CREATE INDEX transactions_original_rrn ON transactions (original_rrn) WHERE original_rrn IS NOT NULL;
-- index transactions_rrn
CREATE INDEX transactions_rrn ON transactions (rrn) WHERE rrn IS NOT NULL;
-- index transactions_time
CREATE INDEX transactions_time ON transactions (occurred_at);
-- table acquirers
CREATE TABLE acquirers (
    id        TEXT PRIMARY KEY,
    acquirer  TEXT NOT NULL
) STRICT;
-- table batches
CREATE TABLE batches (
    terminal_id TEXT NOT NULL,
    batch_no    TEXT NOT NULL,
    PRIMARY KEY (terminal_id, batch_no)
) STRICT, WITHOUT ROWID;
-- table case_events
CREATE TABLE case_events (
    id       INTEGER PRIMARY KEY,
    case_id  INTEGER NOT NULL REFERENCES cases (id),
    at       TEXT NOT NULL,                    -- UTC
    kind     TEXT NOT NULL,                    -- opened, status, reference, note, pack
    text     TEXT NOT NULL
) STRICT;
-- table cases
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
-- table chain
CREATE TABLE chain (
    seq    INTEGER PRIMARY KEY,
    kind   TEXT NOT NULL,
    row_id INTEGER NOT NULL,
    label  TEXT NOT NULL,            -- what the record was, to name it even once removed
    hash   BLOB NOT NULL
) STRICT;
-- table chain_rewrites
CREATE TABLE chain_rewrites (
    id          INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,          -- UTC
    reason      TEXT NOT NULL,
    from_seq    INTEGER NOT NULL,       -- the first entry whose hash changed
    head_seq    INTEGER NOT NULL,       -- the chain's length when it was rewritten
    old_head    BLOB NOT NULL,
    new_head    BLOB NOT NULL,
    records     INTEGER NOT NULL        -- records whose stored content changed
) STRICT;
-- table links
CREATE TABLE links (
    id         INTEGER PRIMARY KEY,
    config     TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
-- table merchant_profile
CREATE TABLE merchant_profile (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    profile     TEXT NOT NULL          -- JSON, see slipkeeper_journal::MerchantProfile
) STRICT;
-- table raw_frames
CREATE TABLE raw_frames (
    id          INTEGER PRIMARY KEY,
    terminal_id TEXT NOT NULL,
    direction   TEXT NOT NULL CHECK (direction IN ('rx', 'tx')),
    at          TEXT NOT NULL,
    bytes       BLOB NOT NULL,
    txn_id      INTEGER REFERENCES transactions (id),
    recorded_at TEXT NOT NULL, masked INTEGER NOT NULL DEFAULT 0 CHECK (masked IN (0, 1)),
    UNIQUE (terminal_id, at, direction, bytes)
) STRICT;
-- table search_index
CREATE TABLE search_index (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    upto INTEGER NOT NULL
) STRICT;
-- table settlements
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
-- table slips
CREATE TABLE slips (
    id          INTEGER PRIMARY KEY,
    txn_id      INTEGER NOT NULL REFERENCES transactions (id),
    copy        TEXT NOT NULL,
    origin      TEXT NOT NULL,
    text        TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    UNIQUE (txn_id, copy, origin)
) STRICT;
-- table slips_fts
CREATE VIRTUAL TABLE slips_fts USING fts5 (
    text, content = 'slips', content_rowid = 'id', tokenize = 'trigram', detail = 'none'
);
-- table slips_fts_config
CREATE TABLE 'slips_fts_config'(k PRIMARY KEY, v) WITHOUT ROWID;
-- table slips_fts_data
CREATE TABLE 'slips_fts_data'(id INTEGER PRIMARY KEY, block BLOB);
-- table slips_fts_docsize
CREATE TABLE 'slips_fts_docsize'(id INTEGER PRIMARY KEY, sz BLOB);
-- table slips_fts_idx
CREATE TABLE 'slips_fts_idx'(segid, term, pgno, PRIMARY KEY(segid, term)) WITHOUT ROWID;
-- table statement_lines
CREATE TABLE statement_lines (
    id            INTEGER PRIMARY KEY,
    statement_id  INTEGER NOT NULL REFERENCES statements (id),
    line_key      TEXT NOT NULL UNIQUE,
    occurred_at   TEXT NOT NULL,      -- terminal local time, as transactions.occurred_at
    line          TEXT NOT NULL       -- JSON of domain::StatementLine
, terminal_id TEXT, trace_no TEXT, rrn TEXT, auth_code TEXT, last4 TEXT, amount_minor INTEGER, kind TEXT) STRICT;
-- table statement_mappings
CREATE TABLE statement_mappings (
    id       TEXT PRIMARY KEY,
    mapping  TEXT NOT NULL            -- JSON
) STRICT;
-- table statements
CREATE TABLE statements (
    id           INTEGER PRIMARY KEY,
    file_name    TEXT NOT NULL,
    file_sha256  TEXT NOT NULL UNIQUE,
    mapping_id   TEXT NOT NULL,
    acquirer     TEXT,
    imported_at  TEXT NOT NULL,       -- UTC
    line_count   INTEGER NOT NULL
) STRICT;
-- table sync_cursors
CREATE TABLE sync_cursors (
    terminal_id TEXT NOT NULL,
    name        TEXT NOT NULL,
    value       TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (terminal_id, name)
) STRICT;
-- table terminals
CREATE TABLE terminals (
    id          TEXT PRIMARY KEY,
    merchant_id TEXT NOT NULL,
    model       TEXT,
    link        TEXT NOT NULL          -- JSON of domain::Link
) STRICT;
-- table transactions
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
-- trigger slips_fts_delete
CREATE TRIGGER slips_fts_delete AFTER DELETE ON slips WHEN old.id <= (SELECT upto FROM search_index) BEGIN
    INSERT INTO slips_fts (slips_fts, rowid, text) VALUES ('delete', old.id, old.text);
END;
-- trigger slips_fts_update
CREATE TRIGGER slips_fts_update AFTER UPDATE ON slips WHEN old.id <= (SELECT upto FROM search_index) BEGIN
    INSERT INTO slips_fts (slips_fts, rowid, text) VALUES ('delete', old.id, old.text);
    INSERT INTO slips_fts (rowid, text) VALUES (new.id, new.text);
END;
