-- Card data is masked at the journal's boundary, frames included (a frame whose card
-- data was masked says so), and the masking of journals written before is recorded.
ALTER TABLE raw_frames ADD COLUMN masked INTEGER NOT NULL DEFAULT 0 CHECK (masked IN (0, 1));

-- Every time the chain was recomputed from some entry on, and why: the only way its
-- hashes ever change. The head before and after lets anyone who wrote down the old
-- head see that, when and why it was replaced.
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
