-- 0008_incremental_holders: holder balances and holder counts cost the day's holders, not history
-- (pipelines/sql/holder_balances.sql; docs/aggregates.md "Balances").
--
-- token_holder_counts becomes a table that holder_balances.sql keeps up to date from the holders
-- it touches (the view counted every balance row: its cost grew with the number of holders ever
-- seen, and token_summary reads it every night). Same columns and rows: one per (chain, token)
-- with at least one balance > 0.
DROP VIEW token_holder_counts;

CREATE TABLE token_holder_counts (
    chain_id      bigint NOT NULL,
    token_address text   NOT NULL,
    holders       bigint NOT NULL CHECK (holders >= 0),  -- 0 only inside an aggregate transaction
    PRIMARY KEY (token_address, chain_id)
);

INSERT INTO token_holder_counts (chain_id, token_address, holders)
SELECT chain_id, token_address, count(*)
FROM holder_balances
WHERE balance_raw > 0
GROUP BY chain_id, token_address;

-- Zero balances are now deleted by key in the statement that produces them, so the partial index
-- that found them is unused; without it an update of balance_raw touches no index (a HOT update),
-- and the free space that fillfactor leaves on each page lets it stay on the page.
DROP INDEX holder_balances_zero_idx;
ALTER TABLE holder_balances SET (fillfactor = 90);
