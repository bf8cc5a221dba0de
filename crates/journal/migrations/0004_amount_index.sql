-- Search-as-you-type for an amount alone ("12.34", no date range): without this the
-- whole journal was read (1.2 s on a million transactions).
CREATE INDEX transactions_amount ON transactions (amount_minor, occurred_at);
