-- output: holder_balances
-- params: day_start timestamptz, day_end timestamptz, day date
-- also maintains: daily_holder_flows (the per-day ledger the balances are defined by) and
--                 token_holder_counts (holders with balance > 0 per token)
--
-- Rebuilds the day's holder flows and applies the change to holder_balances incrementally, in one
-- statement: the day's new flows (from transfers) replace its previous ones in daily_holder_flows,
-- every holder touched by either gets balance + new net flow - previous net flow, and
-- token_holder_counts moves by the holders whose balance crossed zero.
-- Invariant (checked by the tests): holder_balances = Σ over days of daily_holder_flows, with
-- first_seen/last_active the min/max over those days, and no zero rows; token_holder_counts =
-- the balances > 0 per token. The tables are one output because the balance is defined by the
-- ledger and the count by the balances: updating one alone would break the invariant.
--
-- Cost: the day's transfers and the holders they touch, never the holder's other days. Days do
-- not overlap, so first_seen is the first_seen of the holder's earliest day and last_active the
-- last_active of its latest day: the balance row keeps them unless this day defined them (or the
-- row was dropped at balance 0); only then is the holder's nearest other day read, with one probe
-- of daily_holder_flows_holder_idx (chain_id, token_address, holder, day).
-- Every CTE reads the snapshot taken before the statement, so `old` and the probes see the
-- previous flows and balances; the writes to each table touch disjoint keys.

SELECT chainetl_check_transfer_window($1, $2, $3);

WITH new AS MATERIALIZED (
    -- The day's flows over every transfer (mints, burns, self-transfers), zero address excluded.
    SELECT t.chain_id, t.token_address, side.holder,
           sum(side.inflow_raw) AS inflow_raw, sum(side.outflow_raw) AS outflow_raw,
           min(t.block_time) AS first_seen, max(t.block_time) AS last_active
    FROM transfers t
    CROSS JOIN LATERAL (VALUES
        (t.to_address, t.value::numeric, 0::numeric),
        (t.from_address, 0::numeric, t.value::numeric)
    ) AS side(holder, inflow_raw, outflow_raw)
    WHERE t.block_time >= $1 AND t.block_time < $2
      AND side.holder <> chainetl_zero_address()
    GROUP BY t.chain_id, t.token_address, side.holder
), old AS MATERIALIZED (
    -- The day's previous flows (none on its first aggregation).
    SELECT chain_id, token_address, holder, day, inflow_raw, outflow_raw, first_seen, last_active
    FROM daily_holder_flows
    WHERE day = $3
), touched AS MATERIALIZED (
    -- Every holder with new or previous flows on the day.
    SELECT coalesce(n.chain_id, o.chain_id) AS chain_id,
           coalesce(n.token_address, o.token_address) AS token_address,
           coalesce(n.holder, o.holder) AS holder,
           n.inflow_raw, n.outflow_raw, n.first_seen AS day_first_seen, n.last_active AS day_last_active,
           coalesce(n.inflow_raw - n.outflow_raw, 0) - coalesce(o.inflow_raw - o.outflow_raw, 0) AS delta_raw,
           o.day AS old_day,
           o.holder IS NOT NULL AS had_day,
           n.holder IS NOT NULL AS has_day,
           (n.inflow_raw, n.outflow_raw, n.first_seen, n.last_active)
               IS DISTINCT FROM (o.inflow_raw, o.outflow_raw, o.first_seen, o.last_active) AS changed
    FROM new n
    FULL JOIN old o
           ON o.chain_id = n.chain_id AND o.token_address = n.token_address AND o.holder = n.holder
), insert_flows AS (
    -- Flows of holders the day did not touch before: a plain insert (none of their keys exists).
    INSERT INTO daily_holder_flows
        (chain_id, token_address, holder, day, inflow_raw, outflow_raw, first_seen, last_active)
    SELECT chain_id, token_address, holder, $3, inflow_raw, outflow_raw, day_first_seen, day_last_active
    FROM touched
    WHERE has_day AND NOT had_day
), update_flows AS (
    -- Changed flows of holders the day still touches. This and drop_flows match on old_day
    -- rather than $3 so the plan is a probe per such holder: with `day = $3` a stale row estimate
    -- for a just-aggregated day can make the day's rows the outer loop of a nested loop.
    UPDATE daily_holder_flows f
    SET inflow_raw = t.inflow_raw, outflow_raw = t.outflow_raw,
        first_seen = t.day_first_seen, last_active = t.day_last_active
    FROM touched t
    WHERE t.had_day AND t.has_day AND t.changed
      AND f.day = t.old_day AND f.chain_id = t.chain_id AND f.token_address = t.token_address
      AND f.holder = t.holder
), drop_flows AS (
    -- Previous flows of holders the day no longer touches.
    DELETE FROM daily_holder_flows f
    USING touched t
    WHERE t.had_day AND NOT t.has_day
      AND f.day = t.old_day AND f.chain_id = t.chain_id AND f.token_address = t.token_address
      AND f.holder = t.holder
), next AS MATERIALIZED (
    -- other_*: first_seen/last_active over the holder's days other than this one. The balance row
    -- holds them when this day did not define them; otherwise (or without a row) one probe each.
    SELECT t.chain_id, t.token_address, t.holder,
           coalesce(b.balance_raw, 0) AS previous_raw,
           coalesce(b.balance_raw, 0) + t.delta_raw AS balance_raw,
           least(t.day_first_seen, other.first_seen) AS first_seen,
           greatest(t.day_last_active, other.last_active) AS last_active
    FROM touched t
    LEFT JOIN LATERAL (
        -- OFFSET 0 keeps this a probe of the primary key per touched holder: a hash join would
        -- read every balance, i.e. cost grows with history.
        SELECT b.holder, b.balance_raw, b.first_seen, b.last_active
        FROM holder_balances b
        WHERE b.chain_id = t.chain_id AND b.token_address = t.token_address AND b.holder = t.holder
        OFFSET 0
    ) AS b ON true
    CROSS JOIN LATERAL (
        SELECT CASE WHEN b.holder IS NULL
                    THEN (SELECT o.first_seen FROM daily_holder_flows o
                          WHERE o.chain_id = t.chain_id AND o.token_address = t.token_address
                            AND o.holder = t.holder AND o.day <> $3
                          ORDER BY o.day LIMIT 1)
                    WHEN NOT t.had_day OR b.first_seen < $1 THEN b.first_seen
                    -- This day was the holder's first: the next one follows it.
                    ELSE (SELECT o.first_seen FROM daily_holder_flows o
                          WHERE o.chain_id = t.chain_id AND o.token_address = t.token_address
                            AND o.holder = t.holder AND o.day > $3
                          ORDER BY o.day LIMIT 1)
               END AS first_seen,
               CASE WHEN b.holder IS NULL
                    THEN (SELECT o.last_active FROM daily_holder_flows o
                          WHERE o.chain_id = t.chain_id AND o.token_address = t.token_address
                            AND o.holder = t.holder AND o.day <> $3
                          ORDER BY o.day DESC LIMIT 1)
                    WHEN NOT t.had_day OR b.last_active >= $2 THEN b.last_active
                    -- This day was the holder's last: the previous one precedes it.
                    ELSE (SELECT o.last_active FROM daily_holder_flows o
                          WHERE o.chain_id = t.chain_id AND o.token_address = t.token_address
                            AND o.holder = t.holder AND o.day < $3
                          ORDER BY o.day DESC LIMIT 1)
               END AS last_active
    ) AS other
), drop_zero AS (
    -- Zero balances are not holdings.
    DELETE FROM holder_balances b
    USING next x
    WHERE x.balance_raw = 0
      AND b.chain_id = x.chain_id AND b.token_address = x.token_address AND b.holder = x.holder
), counts AS MATERIALIZED (
    -- token_holder_counts (balances > 0) moves by the touched holders that crossed zero.
    SELECT x.chain_id, x.token_address, coalesce(c.holders, 0) + x.change AS holders
    FROM (
        SELECT chain_id, token_address,
               sum((balance_raw > 0)::int - (previous_raw > 0)::int) AS change
        FROM next
        GROUP BY chain_id, token_address
    ) AS x
    LEFT JOIN token_holder_counts c ON c.chain_id = x.chain_id AND c.token_address = x.token_address
    WHERE x.change <> 0
), drop_counts AS (
    DELETE FROM token_holder_counts c
    USING counts x
    WHERE x.holders = 0 AND c.chain_id = x.chain_id AND c.token_address = x.token_address
), upsert_counts AS (
    -- A negative count would be a broken invariant: the CHECK (holders >= 0) refuses it.
    INSERT INTO token_holder_counts AS c (chain_id, token_address, holders)
    SELECT chain_id, token_address, holders FROM counts WHERE holders <> 0
    ON CONFLICT (token_address, chain_id) DO UPDATE SET holders = excluded.holders
)
INSERT INTO holder_balances AS b (chain_id, token_address, holder, balance_raw, first_seen, last_active)
SELECT chain_id, token_address, holder, balance_raw, first_seen, last_active
FROM next
WHERE balance_raw <> 0
ON CONFLICT (token_address, chain_id, holder) DO UPDATE SET
    balance_raw = excluded.balance_raw,
    first_seen = excluded.first_seen,
    last_active = excluded.last_active
WHERE (b.balance_raw, b.first_seen, b.last_active)
      IS DISTINCT FROM (excluded.balance_raw, excluded.first_seen, excluded.last_active);
