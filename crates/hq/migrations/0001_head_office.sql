-- Head office: every shop's journal records, as chained in the shop's journal.
-- Shops insert through their own login role (a member of slipkeeper_shop) and can
-- see and add only their own shop's rows; readers at head office are members of
-- slipkeeper_office. Derived tables are filled by triggers from the records, so what
-- is searched always says what the hashed line says.

DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'slipkeeper_shop') THEN
        CREATE ROLE slipkeeper_shop NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'slipkeeper_office') THEN
        CREATE ROLE slipkeeper_office NOLOGIN;
    END IF;
END $$;

CREATE TABLE shops (
    shop_id   text PRIMARY KEY CHECK (shop_id ~ '^[a-z0-9][a-z0-9_-]{0,39}$'),
    name      text NOT NULL CHECK (name <> ''),
    role_name text NOT NULL UNIQUE,
    joined_at timestamptz NOT NULL DEFAULT now()
);

-- One row per entry of a shop's chain: hash = SHA-256(previous hash || line).
CREATE TABLE records (
    shop_id     text NOT NULL REFERENCES shops,
    seq         bigint NOT NULL CHECK (seq > 0),
    kind        text NOT NULL CHECK (kind IN ('transaction', 'slip', 'settlement', 'raw_frame')),
    label       text NOT NULL,
    line        text NOT NULL,
    hash        bytea NOT NULL CHECK (length(hash) = 32),
    received_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (shop_id, seq)
);

CREATE TABLE transactions (
    shop_id      text NOT NULL,
    seq          bigint NOT NULL,
    terminal_id  text NOT NULL,
    merchant_id  text NOT NULL,
    batch_no     text NOT NULL,
    trace_no     text NOT NULL,
    kind         text NOT NULL,
    outcome      text NOT NULL,
    amount_minor bigint NOT NULL,
    currency     text NOT NULL,
    occurred_at  timestamp NOT NULL,
    rrn          text,
    auth_code    text,
    -- Masked as in the journal (first 6, last 4 at most): never seven digits in a row.
    pan          text CHECK (pan !~ '[0-9]{7}'),
    pan_last4    text,
    PRIMARY KEY (shop_id, seq),
    FOREIGN KEY (shop_id, seq) REFERENCES records
);
CREATE INDEX transactions_trace ON transactions (trace_no);
CREATE INDEX transactions_rrn ON transactions (rrn) WHERE rrn IS NOT NULL;
CREATE INDEX transactions_key ON transactions (shop_id, terminal_id, batch_no, trace_no);
CREATE INDEX transactions_at ON transactions (occurred_at);
CREATE INDEX transactions_card ON transactions (pan_last4, amount_minor);
CREATE INDEX transactions_amount ON transactions (amount_minor, occurred_at);

CREATE TABLE settlements (
    shop_id     text NOT NULL,
    seq         bigint NOT NULL,
    terminal_id text NOT NULL,
    batch_no    text NOT NULL,
    settled_at  timestamp NOT NULL,
    PRIMARY KEY (shop_id, seq),
    FOREIGN KEY (shop_id, seq) REFERENCES records
);
CREATE INDEX settlements_batch ON settlements (shop_id, terminal_id, batch_no);

-- Which transaction each slip belongs to: what a diagnosis at head office gathers.
CREATE TABLE slips (
    shop_id     text NOT NULL,
    seq         bigint NOT NULL,
    terminal_id text NOT NULL,
    batch_no    text NOT NULL,
    trace_no    text NOT NULL,
    kind        text NOT NULL,
    PRIMARY KEY (shop_id, seq),
    FOREIGN KEY (shop_id, seq) REFERENCES records
);
CREATE INDEX slips_txn ON slips (shop_id, terminal_id, batch_no, trace_no);

-- Checked per batch (a statement-level trigger over the inserted rows): every record
-- must follow from the one before it, so a shop cannot leave a hole or send a line its
-- hash does not cover; then the searched rows are derived from the lines. SECURITY
-- DEFINER: shops cannot write the derived tables themselves.
CREATE FUNCTION records_arrived() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT
    AS $$
DECLARE
    bad record;
BEGIN
    SELECT n.shop_id, n.seq, (n.seq > 1 AND p.hash IS NULL) AS missing INTO bad
    FROM new_rows n
    LEFT JOIN records p ON p.shop_id = n.shop_id AND p.seq = n.seq - 1
    WHERE (n.seq > 1 AND p.hash IS NULL)
       OR sha256(CASE WHEN n.seq = 1 THEN decode(repeat('00', 32), 'hex') ELSE p.hash END
                 || convert_to(n.line, 'UTF8')) <> n.hash
    ORDER BY n.shop_id, n.seq
    LIMIT 1;
    IF FOUND THEN
        IF bad.missing THEN
            RAISE EXCEPTION 'shop %: record % arrived before record %', bad.shop_id, bad.seq, bad.seq - 1;
        ELSE
            RAISE EXCEPTION 'shop %: record % does not follow from record % (its hash does not cover its line)',
                bad.shop_id, bad.seq, bad.seq - 1;
        END IF;
    END IF;
    -- Each line is parsed once (a function in FROM), not once per column.
    INSERT INTO transactions
    SELECT n.shop_id, n.seq, x.terminal_id, x.merchant_id, x.batch_no, x.trace_no, x.kind,
           x.outcome, (x.amount ->> 'minor')::bigint, x.amount ->> 'currency', x.occurred_at,
           x.rrn, x.auth_code, x.pan, right(x.pan, 4)
    FROM new_rows n,
         jsonb_to_record(n.line::jsonb -> 'data') AS x(
             terminal_id text, merchant_id text, batch_no text, trace_no text, kind text,
             outcome text, amount jsonb, occurred_at timestamp, rrn text, auth_code text,
             pan text)
    WHERE n.kind = 'transaction';
    INSERT INTO settlements
    SELECT n.shop_id, n.seq, x.terminal_id, x.batch_no, x.settled_at
    FROM new_rows n,
         jsonb_to_record(n.line::jsonb -> 'data') AS x(
             terminal_id text, batch_no text, settled_at timestamp)
    WHERE n.kind = 'settlement';
    INSERT INTO slips
    SELECT n.shop_id, n.seq, x.terminal_id, x.batch_no, x.trace_no, x.kind
    FROM new_rows n,
         jsonb_to_record(n.line::jsonb -> 'data' -> 'txn') AS x(
             terminal_id text, batch_no text, trace_no text, kind text)
    WHERE n.kind = 'slip';
    RETURN NULL;
END $$;
CREATE TRIGGER records_arrived AFTER INSERT ON records
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION records_arrived();

CREATE FUNCTION records_append_only() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    RAISE EXCEPTION 'records are append-only (% refused)', TG_OP USING ERRCODE = 'P0001';
END $$;
CREATE TRIGGER records_append_only BEFORE UPDATE OR DELETE ON records
    FOR EACH ROW EXECUTE FUNCTION records_append_only();
CREATE TRIGGER records_no_truncate BEFORE TRUNCATE ON records
    FOR EACH STATEMENT EXECUTE FUNCTION records_append_only();

-- A shop's role sees its own row of `shops` only: the policies below find its shop
-- with one lookup per statement (an init plan), not one per row.
ALTER TABLE shops ENABLE ROW LEVEL SECURITY;
CREATE POLICY shop_sees_itself ON shops FOR SELECT TO slipkeeper_shop
    USING (role_name = current_user);
CREATE POLICY office_reads ON shops FOR SELECT TO slipkeeper_office USING (true);

ALTER TABLE records ENABLE ROW LEVEL SECURITY;
CREATE POLICY shop_own_rows ON records TO slipkeeper_shop
    USING (shop_id = (SELECT s.shop_id FROM shops s WHERE s.role_name = current_user))
    WITH CHECK (shop_id = (SELECT s.shop_id FROM shops s WHERE s.role_name = current_user));
CREATE POLICY office_reads ON records FOR SELECT TO slipkeeper_office USING (true);

GRANT SELECT ON shops TO slipkeeper_shop;
GRANT SELECT, INSERT ON records TO slipkeeper_shop;
GRANT SELECT ON shops, records, transactions, settlements, slips TO slipkeeper_office;
