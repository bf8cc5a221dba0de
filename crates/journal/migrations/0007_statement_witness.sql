-- Slipkeeper journal, schema 7: statement lines searchable as a second witness.
-- Append-only: never edit this file once released; add 0008_*.sql instead.
--
-- The acquirer's statement answers "what happened to voucher X" when the journal
-- cannot (no terminal link, a gap): diagnosis, the journal screen and reprints look
-- lines up by voucher, RRN, auth code, card last-4 and amount, so those fields get
-- columns and indexes of their own. `line` (the JSON) stays the record; these are
-- copies of it, filled on import and here for lines imported before.
ALTER TABLE statement_lines ADD COLUMN terminal_id TEXT;
ALTER TABLE statement_lines ADD COLUMN trace_no TEXT;
ALTER TABLE statement_lines ADD COLUMN rrn TEXT;
ALTER TABLE statement_lines ADD COLUMN auth_code TEXT;
ALTER TABLE statement_lines ADD COLUMN last4 TEXT;
ALTER TABLE statement_lines ADD COLUMN amount_minor INTEGER;
ALTER TABLE statement_lines ADD COLUMN kind TEXT;

UPDATE statement_lines SET
    terminal_id  = json_extract(line, '$.terminal_id'),
    trace_no     = json_extract(line, '$.trace_no'),
    rrn          = json_extract(line, '$.rrn'),
    auth_code    = json_extract(line, '$.auth_code'),
    last4        = CASE
        WHEN substr(json_extract(line, '$.card'), -4) GLOB '[0-9][0-9][0-9][0-9]'
        THEN substr(json_extract(line, '$.card'), -4) END,
    amount_minor = json_extract(line, '$.amount.minor'),
    kind         = json_extract(line, '$.kind');

CREATE INDEX statement_lines_trace ON statement_lines (trace_no, terminal_id);
CREATE INDEX statement_lines_rrn ON statement_lines (rrn);
CREATE INDEX statement_lines_auth ON statement_lines (auth_code);
CREATE INDEX statement_lines_last4 ON statement_lines (last4, occurred_at);
CREATE INDEX statement_lines_amount ON statement_lines (amount_minor, occurred_at);
