-- Makes a current journal look like one written by schema 6 (before statement lines
-- had lookup columns), for the package's upgrade test.
DROP INDEX statement_lines_trace;
DROP INDEX statement_lines_rrn;
DROP INDEX statement_lines_auth;
DROP INDEX statement_lines_last4;
DROP INDEX statement_lines_amount;
ALTER TABLE statement_lines DROP COLUMN terminal_id;
ALTER TABLE statement_lines DROP COLUMN trace_no;
ALTER TABLE statement_lines DROP COLUMN rrn;
ALTER TABLE statement_lines DROP COLUMN auth_code;
ALTER TABLE statement_lines DROP COLUMN last4;
ALTER TABLE statement_lines DROP COLUMN amount_minor;
ALTER TABLE statement_lines DROP COLUMN kind;
PRAGMA user_version = 6;
