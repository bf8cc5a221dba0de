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

-- The shop a login role sends for. SECURITY DEFINER: shops cannot read `shops`.
CREATE FUNCTION shop_of(role text) RETURNS text
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path FROM CURRENT
    AS $$ SELECT shop_id FROM shops WHERE role_name = role $$;

-- A record must follow from the one before it: a shop cannot leave a hole or send a
-- line its hash does not cover.
CREATE FUNCTION records_chain() RETURNS trigger
    LANGUAGE plpgsql SET search_path FROM CURRENT
    AS $$
DECLARE
    prev bytea;
BEGIN
    IF NEW.seq = 1 THEN
        prev := decode(repeat('00', 32), 'hex');
    ELSE
        SELECT hash INTO prev FROM records WHERE shop_id = NEW.shop_id AND seq = NEW.seq - 1;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'shop %: record % arrived before record %', NEW.shop_id, NEW.seq, NEW.seq - 1
                USING ERRCODE = 'P0001';
        END IF;
    END IF;
    IF sha256(prev || convert_to(NEW.line, 'UTF8')) <> NEW.hash THEN
        RAISE EXCEPTION 'shop %: record % does not follow from record % (its hash does not cover its line)',
            NEW.shop_id, NEW.seq, NEW.seq - 1
            USING ERRCODE = 'P0001';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER records_chain BEFORE INSERT ON records
    FOR EACH ROW EXECUTE FUNCTION records_chain();

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

-- Derived rows, written with the owner's rights (shops cannot write them directly).
CREATE FUNCTION records_derive() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT
    AS $$
DECLARE
    d jsonb;
BEGIN
    IF NEW.kind = 'transaction' THEN
        d := NEW.line::jsonb -> 'data';
        INSERT INTO transactions VALUES (
            NEW.shop_id, NEW.seq,
            d ->> 'terminal_id', d ->> 'merchant_id', d ->> 'batch_no', d ->> 'trace_no',
            d ->> 'kind', d ->> 'outcome',
            (d -> 'amount' ->> 'minor')::bigint, d -> 'amount' ->> 'currency',
            (d ->> 'occurred_at')::timestamp,
            d ->> 'rrn', d ->> 'auth_code', d ->> 'pan', right(d ->> 'pan', 4));
    ELSIF NEW.kind = 'settlement' THEN
        d := NEW.line::jsonb -> 'data';
        INSERT INTO settlements VALUES (
            NEW.shop_id, NEW.seq, d ->> 'terminal_id', d ->> 'batch_no',
            (d ->> 'settled_at')::timestamp);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER records_derive AFTER INSERT ON records
    FOR EACH ROW EXECUTE FUNCTION records_derive();

ALTER TABLE records ENABLE ROW LEVEL SECURITY;
CREATE POLICY shop_own_rows ON records TO slipkeeper_shop
    USING (shop_id = shop_of(current_user::text))
    WITH CHECK (shop_id = shop_of(current_user::text));
CREATE POLICY office_reads ON records FOR SELECT TO slipkeeper_office USING (true);

REVOKE ALL ON FUNCTION shop_of(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION shop_of(text) TO slipkeeper_shop, slipkeeper_office;
GRANT SELECT, INSERT ON records TO slipkeeper_shop;
GRANT SELECT ON shops, records, transactions, settlements TO slipkeeper_office;
