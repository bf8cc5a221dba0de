-- Each shop's cases with the acquirer, as the shop last sent them. Cases change
-- (status, the acquirer's reference, the deadline) and are outside the chain at the
-- shop too, so a newer copy replaces an older one; what the case is about is kept as
-- the shop identified it.
CREATE TABLE cases (
    shop_id      text NOT NULL REFERENCES shops,
    case_id      bigint NOT NULL,
    opened_at    timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL,
    status       text NOT NULL CHECK (status IN ('open', 'submitted', 'waiting', 'won', 'lost', 'withdrawn')),
    complaint    text NOT NULL,
    code         text NOT NULL,
    acquirer_id  text,
    acquirer_ref text,
    due_on       date,
    lookup       jsonb NOT NULL,
    received_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (shop_id, case_id)
);
CREATE INDEX cases_due ON cases (status, due_on);

ALTER TABLE cases ENABLE ROW LEVEL SECURITY;
CREATE POLICY shop_own_cases ON cases TO slipkeeper_shop
    USING (shop_id = (SELECT s.shop_id FROM shops s WHERE s.role_name = current_user))
    WITH CHECK (shop_id = (SELECT s.shop_id FROM shops s WHERE s.role_name = current_user));
CREATE POLICY office_reads ON cases FOR SELECT TO slipkeeper_office USING (true);

GRANT SELECT, INSERT, UPDATE ON cases TO slipkeeper_shop;
GRANT SELECT ON cases TO slipkeeper_office;
