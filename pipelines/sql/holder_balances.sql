-- output: holder_balances
-- params: day_start timestamptz, day_end timestamptz, day date
-- also maintains: daily_holder_flows (the per-day ledger the balances are defined by)
--
-- Rebuilds the day's holder flows and applies the change to holder_balances incrementally:
-- subtract the day's previous flows, replace them, add the new ones, drop zero balances.
-- Invariant (checked by the tests): holder_balances = Σ over days of daily_holder_flows, with
-- first_seen/last_active the min/max over those days, and no zero rows. The two tables are one
-- output because the balance is defined by the ledger: updating either alone would break it.
-- Cost: the day's transfers plus one index probe per holder touched that day.

SELECT chainetl_check_transfer_window($1, $2, $3);

-- 1. Take out the previous flows of the day. first_seen/last_active of those holders fall back
--    to their other days (a placeholder when there is none: such a row's balance is now 0 and it
--    is either re-added in step 4 or deleted in step 5).
INSERT INTO holder_balances AS b (chain_id, token_address, holder, balance_raw, first_seen, last_active)
SELECT f.chain_id, f.token_address, f.holder, f.outflow_raw - f.inflow_raw,
       coalesce(other.first_seen, f.first_seen), coalesce(other.last_active, f.last_active)
FROM daily_holder_flows f
LEFT JOIN LATERAL (
    SELECT min(o.first_seen) AS first_seen, max(o.last_active) AS last_active
    FROM daily_holder_flows o
    WHERE o.chain_id = f.chain_id AND o.token_address = f.token_address
      AND o.holder = f.holder AND o.day <> $3
) AS other ON true
WHERE f.day = $3
ON CONFLICT (token_address, chain_id, holder) DO UPDATE SET
    balance_raw = b.balance_raw + excluded.balance_raw,
    first_seen = excluded.first_seen,
    last_active = excluded.last_active;

-- 2. Drop the day's previous flows.
DELETE FROM daily_holder_flows WHERE day = $3;

-- 3. The day's flows over every transfer (mints, burns, self-transfers), zero address excluded.
INSERT INTO daily_holder_flows
    (chain_id, token_address, holder, day, inflow_raw, outflow_raw, first_seen, last_active)
SELECT t.chain_id, t.token_address, side.holder, $3,
       sum(side.inflow_raw), sum(side.outflow_raw), min(t.block_time), max(t.block_time)
FROM transfers t
CROSS JOIN LATERAL (VALUES
    (t.to_address, t.value::numeric, 0::numeric),
    (t.from_address, 0::numeric, t.value::numeric)
) AS side(holder, inflow_raw, outflow_raw)
WHERE t.block_time >= $1 AND t.block_time < $2
  AND side.holder <> chainetl_zero_address()
GROUP BY t.chain_id, t.token_address, side.holder;

-- 4. Add the new flows; first_seen/last_active over all of the holder's days.
INSERT INTO holder_balances AS b (chain_id, token_address, holder, balance_raw, first_seen, last_active)
SELECT f.chain_id, f.token_address, f.holder, f.inflow_raw - f.outflow_raw,
       history.first_seen, history.last_active
FROM daily_holder_flows f
CROSS JOIN LATERAL (
    SELECT min(o.first_seen) AS first_seen, max(o.last_active) AS last_active
    FROM daily_holder_flows o
    WHERE o.chain_id = f.chain_id AND o.token_address = f.token_address AND o.holder = f.holder
) AS history
WHERE f.day = $3
ON CONFLICT (token_address, chain_id, holder) DO UPDATE SET
    balance_raw = b.balance_raw + excluded.balance_raw,
    first_seen = excluded.first_seen,
    last_active = excluded.last_active;

-- 5. Zero balances are not holdings (served by the partial index holder_balances_zero_idx).
DELETE FROM holder_balances WHERE balance_raw = 0;
