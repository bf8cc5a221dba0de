-- Slipkeeper journal, schema 2: the acquirer's statements, for reconciliation.
-- Append-only: never edit this file once released; add 0003_*.sql instead.

-- One imported statement file. The file's SHA-256 is unique: the same file twice
-- imports nothing new.
CREATE TABLE statements (
    id           INTEGER PRIMARY KEY,
    file_name    TEXT NOT NULL,
    file_sha256  TEXT NOT NULL UNIQUE,
    mapping_id   TEXT NOT NULL,
    acquirer     TEXT,
    imported_at  TEXT NOT NULL,       -- UTC
    line_count   INTEGER NOT NULL
) STRICT;

-- One line of a statement. `line_key` is what identifies the line at the acquirer
-- (terminal, voucher, RRN, time, type, amount): a line seen in an earlier file (a
-- re-export, an overlapping period) is not stored twice.
CREATE TABLE statement_lines (
    id            INTEGER PRIMARY KEY,
    statement_id  INTEGER NOT NULL REFERENCES statements (id),
    line_key      TEXT NOT NULL UNIQUE,
    occurred_at   TEXT NOT NULL,      -- terminal local time, as transactions.occurred_at
    line          TEXT NOT NULL       -- JSON of domain::StatementLine
) STRICT;
CREATE INDEX statement_lines_time ON statement_lines (occurred_at);

-- Column mappings the user defined for their acquirers (built-in ones ship with the
-- program).
CREATE TABLE statement_mappings (
    id       TEXT PRIMARY KEY,
    mapping  TEXT NOT NULL            -- JSON
) STRICT;
