-- The summary `make demo` prints after the run (psql -v pipeline=… -v from=… -v to=…).
\pset footer off
\echo
\echo 'Transfers per chain and day (loaded rows; quarantined and duplicate rows from the run ledger)'
WITH latest AS (
    SELECT DISTINCT ON (stage, partition) stage, partition, rows_quarantined, rows_duplicates, rows_out
    FROM etl_stage_runs
    WHERE pipeline = :'pipeline' AND status = 'succeeded'
      AND partition BETWEEN :'from'::date AND :'to'::date
    ORDER BY stage, partition, finished_at DESC
), loaded AS (
    SELECT chain_id, (block_time AT TIME ZONE 'UTC')::date AS day, count(*) AS transfers
    FROM transfers
    WHERE pipeline = :'pipeline'
      AND block_time >= :'from'::date AND block_time < :'to'::date + 1
    GROUP BY 1, 2
)
SELECT l.day, l.chain_id AS chain, l.transfers AS loaded,
       coalesce(n.rows_quarantined, 0) AS quarantined_all_chains,
       coalesce(d.rows_duplicates, 0) AS duplicates_all_chains
FROM loaded l
LEFT JOIN latest n ON n.stage = 'normalize' AND n.partition = l.day
LEFT JOIN latest d ON d.stage = 'dedupe' AND d.partition = l.day
ORDER BY l.day, l.chain_id;

\echo
\echo 'Top tokens by 7-day volume (decimal-adjusted where decimals are known)'
SELECT s.chain_id AS chain,
       coalesce(s.token_symbol, left(s.token_address, 10) || '…') AS token,
       s.as_of_day,
       coalesce(chainetl_decimal_adjust(s.volume_7d_raw, s.token_decimals)::text,
                s.volume_7d_raw::text || ' (raw)') AS volume_7d,
       s.transfers_7d,
       s.unique_senders_24h,
       s.holders,
       s.volume_7d_usd
FROM token_summary s
ORDER BY chainetl_decimal_adjust(s.volume_7d_raw, s.token_decimals) DESC NULLS LAST, s.volume_7d_raw DESC
LIMIT 12;
