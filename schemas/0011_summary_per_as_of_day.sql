-- 0011_summary_per_as_of_day: rolling summaries are kept per as-of day, so an export of day D
-- always describes the end of D whatever order the days were aggregated in
-- (pipelines/sql/token_summary.sql; docs/aggregates.md "Rolling summary").
--
-- token_summary (one row per token, the latest aggregated day only) becomes token_summary_by_day,
-- keyed by as-of day first: token_summary.sql replaces the rows of its own day, the export reads
-- one day by an index range. token_summary stays, as a view over the latest as-of day, so
-- top_tokens_* and platform_stats (and every reader of token_summary) keep their meaning.
-- platform_stats_as_of(day) gives the platform totals of any as-of day; platform_stats is it for
-- the latest one.
DROP VIEW platform_stats;
DROP VIEW top_tokens_24h;
DROP VIEW top_tokens_7d;
DROP VIEW top_tokens_total;

ALTER TABLE token_summary RENAME TO token_summary_by_day;
ALTER TABLE token_summary_by_day RENAME CONSTRAINT token_summary_pkey TO token_summary_by_day_pkey;
ALTER TABLE token_summary_by_day DROP CONSTRAINT token_summary_by_day_pkey;
ALTER TABLE token_summary_by_day ADD PRIMARY KEY (as_of_day, token_address, chain_id);

CREATE VIEW token_summary AS
SELECT s.*
FROM token_summary_by_day s
WHERE s.as_of_day = (SELECT max(as_of_day) FROM token_summary_by_day);

CREATE VIEW top_tokens_24h AS
SELECT chain_id,
       row_number() OVER (PARTITION BY chain_id ORDER BY volume_24h_usd DESC NULLS LAST,
           chainetl_decimal_adjust(volume_24h_raw, token_decimals) DESC NULLS LAST,
           volume_24h_raw DESC, token_address) AS rank,
       as_of_day, token_address, token_symbol, token_decimals,
       volume_24h_raw AS volume_raw,
       chainetl_decimal_adjust(volume_24h_raw, token_decimals) AS volume,
       volume_24h_usd AS volume_usd,
       transfers_24h AS transfers, unique_senders_24h, holders
FROM token_summary;

CREATE VIEW top_tokens_7d AS
SELECT chain_id,
       row_number() OVER (PARTITION BY chain_id ORDER BY volume_7d_usd DESC NULLS LAST,
           chainetl_decimal_adjust(volume_7d_raw, token_decimals) DESC NULLS LAST,
           volume_7d_raw DESC, token_address) AS rank,
       as_of_day, token_address, token_symbol, token_decimals,
       volume_7d_raw AS volume_raw,
       chainetl_decimal_adjust(volume_7d_raw, token_decimals) AS volume,
       volume_7d_usd AS volume_usd,
       transfers_7d AS transfers, unique_senders_24h, holders
FROM token_summary;

CREATE VIEW top_tokens_total AS
SELECT chain_id,
       row_number() OVER (PARTITION BY chain_id ORDER BY volume_total_usd DESC NULLS LAST,
           chainetl_decimal_adjust(volume_total_raw, token_decimals) DESC NULLS LAST,
           volume_total_raw DESC, token_address) AS rank,
       as_of_day, token_address, token_symbol, token_decimals,
       volume_total_raw AS volume_raw,
       chainetl_decimal_adjust(volume_total_raw, token_decimals) AS volume,
       volume_total_usd AS volume_usd,
       transfers_total AS transfers, unique_senders_24h, holders
FROM token_summary;

-- Platform totals as of one day: per chain (scope 'chain') and over all chains (scope 'all',
-- chain_id null), $1 = the as-of day. Same columns and definitions as the platform_stats view of 0003.
CREATE FUNCTION platform_stats_as_of(as_of date)
RETURNS TABLE (scope text, chain_id bigint, as_of_day date, tokens bigint, active_tokens_24h bigint,
               transfers_24h numeric, transfers_7d numeric, transfers_30d numeric,
               transfers_total numeric, unique_senders_24h bigint, holder_positions numeric,
               volume_24h_usd numeric, volume_7d_usd numeric, volume_30d_usd numeric,
               volume_total_usd numeric, tokens_unpriced_24h bigint, tokens_unpriced_7d bigint)
LANGUAGE sql STABLE
AS $$
    WITH tokens AS (
        SELECT s.chain_id, s.as_of_day,
               count(*) AS tokens,
               count(*) FILTER (WHERE s.transfers_24h > 0) AS active_tokens_24h,
               sum(s.transfers_24h) AS transfers_24h,
               sum(s.transfers_7d) AS transfers_7d,
               sum(s.transfers_30d) AS transfers_30d,
               sum(s.transfers_total) AS transfers_total,
               sum(s.holders) AS holder_positions,
               sum(s.volume_24h_usd) AS volume_24h_usd,
               sum(s.volume_7d_usd) AS volume_7d_usd,
               sum(s.volume_30d_usd) AS volume_30d_usd,
               sum(s.volume_total_usd) AS volume_total_usd,
               count(*) FILTER (WHERE s.volume_24h_usd IS NULL) AS tokens_unpriced_24h,
               count(*) FILTER (WHERE s.volume_7d_usd IS NULL) AS tokens_unpriced_7d,
               grouping(s.chain_id) AS all_chains
        FROM token_summary_by_day s
        WHERE s.as_of_day = $1
        GROUP BY GROUPING SETS ((s.chain_id, s.as_of_day), (s.as_of_day))
    ), senders AS (
        SELECT a.chain_id,
               count(DISTINCT (a.chain_id, a.address)) AS unique_senders_24h,
               grouping(a.chain_id) AS all_chains
        FROM daily_address_volume a
        WHERE a.sent_count > 0 AND a.day = $1
        GROUP BY GROUPING SETS ((a.chain_id), ())
    )
    SELECT CASE WHEN t.all_chains = 1 THEN 'all' ELSE 'chain' END,
           t.chain_id, t.as_of_day, t.tokens, t.active_tokens_24h,
           t.transfers_24h, t.transfers_7d, t.transfers_30d, t.transfers_total,
           coalesce(s.unique_senders_24h, 0),
           t.holder_positions,
           t.volume_24h_usd, t.volume_7d_usd, t.volume_30d_usd, t.volume_total_usd,
           t.tokens_unpriced_24h, t.tokens_unpriced_7d
    FROM tokens t
    LEFT JOIN senders s ON s.all_chains = t.all_chains AND s.chain_id IS NOT DISTINCT FROM t.chain_id
$$;

CREATE VIEW platform_stats AS
SELECT * FROM platform_stats_as_of((SELECT max(as_of_day) FROM token_summary_by_day));
