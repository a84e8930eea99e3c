-- The summary `make demo` prints after the run (psql -v pipeline=… -v from=… -v to=…).
-- Every table fits in 100 columns.
\pset footer off
\echo
\echo 'Per day: transfers loaded per chain; rows quarantined by every stage and duplicate rows dropped'
\echo '(all chains, from the latest successful run of each stage in the run ledger)'
WITH latest AS (
    SELECT DISTINCT ON (stage, partition) stage, partition, rows_quarantined, rows_duplicates
    FROM etl_stage_runs
    WHERE pipeline = :'pipeline' AND status = 'succeeded'
      AND partition BETWEEN :'from'::date AND :'to'::date
    ORDER BY stage, partition, finished_at DESC, id DESC
), rejected AS (
    SELECT partition AS day,
           sum(rows_quarantined) AS quarantined,
           string_agg(stage || ' ' || rows_quarantined, ', ' ORDER BY stage)
               FILTER (WHERE rows_quarantined > 0) AS quarantined_by,
           sum(rows_duplicates) FILTER (WHERE stage = 'dedupe') AS duplicates
    FROM latest GROUP BY 1
), loaded AS (
    SELECT (block_time AT TIME ZONE 'UTC')::date AS day, chain_id, count(*) AS transfers
    FROM transfers
    WHERE pipeline = :'pipeline'
      AND block_time >= :'from'::date AND block_time < :'to'::date + 1
    GROUP BY 1, 2
), days AS (
    SELECT day, sum(transfers) AS transfers,
           string_agg(chain_id || ': ' || transfers, ', ' ORDER BY chain_id) AS by_chain
    FROM loaded GROUP BY 1
)
SELECT coalesce(d.day, r.day) AS day,
       coalesce(d.transfers, 0) AS loaded,
       coalesce(d.by_chain, 'none') AS "loaded by chain id",
       coalesce(r.quarantined, 0) AS quarantined,
       coalesce(r.quarantined_by, '') AS "quarantined by stage",
       coalesce(r.duplicates, 0) AS duplicates
FROM days d
FULL JOIN rejected r ON r.day = d.day
ORDER BY 1;

\echo
\echo 'Top tokens by 7-day volume in USD, then in tokens; decimal-adjusted, rounded to 2 decimals'
\echo '(very large amounts as powers of ten; ? = decimals or price unknown), latest day per token'
WITH latest AS (
    SELECT DISTINCT ON (chain_id, token_address) *,
           chainetl_decimal_adjust(volume_7d_raw, token_decimals) AS volume_7d
    FROM token_summary
    ORDER BY chain_id, token_address, as_of_day DESC
)
SELECT chain_id AS chain,
       CASE WHEN token_symbol IS NOT NULL THEN left(token_symbol, 10)
            ELSE left(token_address, 6) || '…' || right(token_address, 4) END AS token,
       as_of_day AS as_of,
       CASE WHEN volume_7d IS NULL THEN '?'
            WHEN abs(volume_7d) >= 1e15 THEN trim(to_char(volume_7d, '9.99EEEE'))
            ELSE to_char(round(volume_7d, 2), 'FM999,999,999,999,990.00') END AS volume_7d,
       CASE WHEN volume_7d_usd IS NULL THEN '?'
            WHEN abs(volume_7d_usd) >= 1e15 THEN trim(to_char(volume_7d_usd, '9.99EEEE'))
            ELSE to_char(round(volume_7d_usd, 2), 'FM999,999,999,999,990.00') END AS usd_7d,
       transfers_7d,
       holders
FROM latest
-- Qualified: the output columns of the same names are text.
ORDER BY latest.volume_7d_usd DESC NULLS LAST, latest.volume_7d DESC NULLS LAST, latest.volume_7d_raw DESC,
         latest.token_address
LIMIT 12;
