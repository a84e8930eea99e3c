-- output: token_summary
-- params: day_start timestamptz, day_end timestamptz, day date
-- (writes token_summary_by_day; token_summary is its view over the latest as-of day)
--
-- Rolling summary as of the end of day $3 (as_of_day = $3), kept per as-of day: this file replaces
-- the rows of $3 only, so the summary (and export) of every other day stays as it was written.
-- 24h = $3, 7d = it and the 6 days before, 30d = it and the 29 before, total = every day through
-- $3. Built only from daily_token_volume, daily_holder_flows, holder_balances,
-- token_holder_counts, token_metadata and prices, never from transfers; the caller's transaction
-- makes DELETE + INSERT an atomic swap for readers.
--
-- holders = holders with a positive balance through $3 (Σ daily_holder_flows over days <= $3 > 0),
-- exact whatever order the days were aggregated in: token_holder_counts counts the balances over
-- every aggregated day, so it is corrected by the holders with flows after $3 (balance through $3
-- = balance - their flows after $3). For the newest day no flow follows and the count is read as
-- is; an older day costs the flows of the days after it, never those before it.

SELECT chainetl_check_day_window($1, $2, $3);

DELETE FROM token_summary_by_day WHERE as_of_day = $3;

INSERT INTO token_summary_by_day
    (chain_id, token_address, as_of_day, token_symbol, token_name, token_decimals,
     volume_24h_raw, volume_7d_raw, volume_30d_raw, volume_total_raw,
     transfers_24h, transfers_7d, transfers_30d, transfers_total,
     unique_senders_24h, unique_receivers_24h, holders, supply_raw, last_transfer_at,
     volume_24h_usd, volume_7d_usd, volume_30d_usd, volume_total_usd)
WITH windows AS (
    SELECT d.chain_id, d.token_address, $3::date AS as_of_day,
           d.day = $3 AS in_24h,
           d.day > $3::date - 7 AS in_7d,
           d.day > $3::date - 30 AS in_30d,
           d.volume_raw, d.transfer_count, d.unique_senders, d.unique_receivers,
           d.mint_raw, d.burn_raw, d.last_transfer_at, d.volume_usd,
           d.volume_raw > 0 AS has_volume
    FROM daily_token_volume d
    WHERE d.day <= $3
), totals AS (
    SELECT w.chain_id, w.token_address, w.as_of_day,
           coalesce(sum(w.volume_raw) FILTER (WHERE w.in_24h), 0) AS volume_24h_raw,
           coalesce(sum(w.volume_raw) FILTER (WHERE w.in_7d), 0) AS volume_7d_raw,
           coalesce(sum(w.volume_raw) FILTER (WHERE w.in_30d), 0) AS volume_30d_raw,
           sum(w.volume_raw) AS volume_total_raw,
           coalesce(sum(w.transfer_count) FILTER (WHERE w.in_24h), 0) AS transfers_24h,
           coalesce(sum(w.transfer_count) FILTER (WHERE w.in_7d), 0) AS transfers_7d,
           coalesce(sum(w.transfer_count) FILTER (WHERE w.in_30d), 0) AS transfers_30d,
           sum(w.transfer_count) AS transfers_total,
           coalesce(max(w.unique_senders) FILTER (WHERE w.in_24h), 0) AS unique_senders_24h,
           coalesce(max(w.unique_receivers) FILTER (WHERE w.in_24h), 0) AS unique_receivers_24h,
           sum(w.mint_raw) - sum(w.burn_raw) AS supply_raw,
           max(w.last_transfer_at) AS last_transfer_at,
           count(*) FILTER (WHERE w.in_24h AND w.has_volume) AS volume_days_24h,
           count(*) FILTER (WHERE w.in_24h AND w.has_volume AND w.volume_usd IS NULL) AS unknown_days_24h,
           sum(w.volume_usd) FILTER (WHERE w.in_24h AND w.has_volume) AS usd_24h,
           count(*) FILTER (WHERE w.in_7d AND w.has_volume) AS volume_days_7d,
           count(*) FILTER (WHERE w.in_7d AND w.has_volume AND w.volume_usd IS NULL) AS unknown_days_7d,
           sum(w.volume_usd) FILTER (WHERE w.in_7d AND w.has_volume) AS usd_7d,
           count(*) FILTER (WHERE w.in_30d AND w.has_volume) AS volume_days_30d,
           count(*) FILTER (WHERE w.in_30d AND w.has_volume AND w.volume_usd IS NULL) AS unknown_days_30d,
           sum(w.volume_usd) FILTER (WHERE w.in_30d AND w.has_volume) AS usd_30d,
           count(*) FILTER (WHERE w.has_volume) AS volume_days_total,
           count(*) FILTER (WHERE w.has_volume AND w.volume_usd IS NULL) AS unknown_days_total,
           sum(w.volume_usd) FILTER (WHERE w.has_volume) AS usd_total
    FROM windows w
    GROUP BY w.chain_id, w.token_address, w.as_of_day
), later AS MATERIALIZED (
    -- Net flows after $3 per holder (none when $3 is the newest aggregated day).
    SELECT f.chain_id, f.token_address, f.holder, sum(f.inflow_raw - f.outflow_raw) AS later_raw
    FROM daily_holder_flows f
    WHERE f.day > $3
    GROUP BY f.chain_id, f.token_address, f.holder
), holder_correction AS (
    -- Holders positive through $3 minus holders positive now, over the holders with later flows.
    SELECT l.chain_id, l.token_address,
           sum((coalesce(b.balance_raw, 0) - l.later_raw > 0)::int
               - (coalesce(b.balance_raw, 0) > 0)::int) AS change
    FROM later l
    LEFT JOIN holder_balances b
           ON b.chain_id = l.chain_id AND b.token_address = l.token_address AND b.holder = l.holder
    GROUP BY l.chain_id, l.token_address
)
SELECT s.chain_id, s.token_address, s.as_of_day, m.token_symbol, m.token_name, m.token_decimals,
       s.volume_24h_raw, s.volume_7d_raw, s.volume_30d_raw, s.volume_total_raw,
       s.transfers_24h, s.transfers_7d, s.transfers_30d, s.transfers_total,
       s.unique_senders_24h, s.unique_receivers_24h, coalesce(h.holders, 0) + coalesce(hc.change, 0), s.supply_raw,
       s.last_transfer_at,
       chainetl_window_usd(s.volume_days_24h, s.unknown_days_24h, s.usd_24h, priced.is_priced),
       chainetl_window_usd(s.volume_days_7d, s.unknown_days_7d, s.usd_7d, priced.is_priced),
       chainetl_window_usd(s.volume_days_30d, s.unknown_days_30d, s.usd_30d, priced.is_priced),
       chainetl_window_usd(s.volume_days_total, s.unknown_days_total, s.usd_total, priced.is_priced)
FROM totals s
LEFT JOIN token_metadata m ON m.chain_id = s.chain_id AND m.token_address = s.token_address
LEFT JOIN token_holder_counts h ON h.chain_id = s.chain_id AND h.token_address = s.token_address
LEFT JOIN holder_correction hc ON hc.chain_id = s.chain_id AND hc.token_address = s.token_address
LEFT JOIN token_prices p
       ON p.chain_id = s.chain_id AND p.token_address = s.token_address AND p.day = s.as_of_day
LEFT JOIN token_fixed_prices f ON f.chain_id = s.chain_id AND f.token_address = s.token_address
CROSS JOIN LATERAL (
    SELECT m.token_decimals IS NOT NULL AND coalesce(p.usd, f.usd) IS NOT NULL AS is_priced
) AS priced;
