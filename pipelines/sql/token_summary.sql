-- output: token_summary
-- params: day_start timestamptz, day_end timestamptz, day date
--
-- Rolling summary as of the end of the latest aggregated day: as_of_day = the later of $3 and the
-- newest day in daily_token_volume (re-aggregating an old day does not move it back). 24h = that
-- day, 7d = it and the 6 before, 30d = it and the 29 before, total = every day. Built only from
-- daily_token_volume, token_holder_counts, token_metadata and prices, never from transfers; the
-- caller's transaction makes DELETE + INSERT an atomic swap for readers.

SELECT chainetl_check_day_window($1, $2, $3);

DELETE FROM token_summary;

INSERT INTO token_summary
    (chain_id, token_address, as_of_day, token_symbol, token_name, token_decimals,
     volume_24h_raw, volume_7d_raw, volume_30d_raw, volume_total_raw,
     transfers_24h, transfers_7d, transfers_30d, transfers_total,
     unique_senders_24h, unique_receivers_24h, holders, supply_raw, last_transfer_at,
     volume_24h_usd, volume_7d_usd, volume_30d_usd, volume_total_usd)
WITH as_of AS (
    SELECT greatest($3, (SELECT max(day) FROM daily_token_volume)) AS day
), windows AS (
    SELECT d.chain_id, d.token_address, a.day AS as_of_day,
           d.day = a.day AS in_24h,
           d.day > a.day - 7 AS in_7d,
           d.day > a.day - 30 AS in_30d,
           d.volume_raw, d.transfer_count, d.unique_senders, d.unique_receivers,
           d.mint_raw, d.burn_raw, d.last_transfer_at, d.volume_usd,
           d.volume_raw > 0 AS has_volume
    FROM daily_token_volume d
    CROSS JOIN as_of a
    WHERE d.day <= a.day
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
)
SELECT s.chain_id, s.token_address, s.as_of_day, m.token_symbol, m.token_name, m.token_decimals,
       s.volume_24h_raw, s.volume_7d_raw, s.volume_30d_raw, s.volume_total_raw,
       s.transfers_24h, s.transfers_7d, s.transfers_30d, s.transfers_total,
       s.unique_senders_24h, s.unique_receivers_24h, coalesce(h.holders, 0), s.supply_raw,
       s.last_transfer_at,
       chainetl_window_usd(s.volume_days_24h, s.unknown_days_24h, s.usd_24h, priced.is_priced),
       chainetl_window_usd(s.volume_days_7d, s.unknown_days_7d, s.usd_7d, priced.is_priced),
       chainetl_window_usd(s.volume_days_30d, s.unknown_days_30d, s.usd_30d, priced.is_priced),
       chainetl_window_usd(s.volume_days_total, s.unknown_days_total, s.usd_total, priced.is_priced)
FROM totals s
LEFT JOIN token_metadata m ON m.chain_id = s.chain_id AND m.token_address = s.token_address
LEFT JOIN token_holder_counts h ON h.chain_id = s.chain_id AND h.token_address = s.token_address
LEFT JOIN token_prices p
       ON p.chain_id = s.chain_id AND p.token_address = s.token_address AND p.day = s.as_of_day
LEFT JOIN token_fixed_prices f ON f.chain_id = s.chain_id AND f.token_address = s.token_address
CROSS JOIN LATERAL (
    SELECT m.token_decimals IS NOT NULL AND coalesce(p.usd, f.usd) IS NOT NULL AS is_priced
) AS priced;
