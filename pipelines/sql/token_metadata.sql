-- output: token_metadata
-- params: day_start timestamptz, day_end timestamptz, day date
--
-- Upserts symbol, name and decimals of every token with a transfer in [$1, $2): the values of the
-- day's latest transfer carrying them. A newer day's non-null values win; an older day only fills
-- nulls, so re-aggregating an old day never rolls metadata back. Not day-partitioned, so no DELETE.

SELECT chainetl_check_transfer_window($1, $2, $3);

INSERT INTO token_metadata AS m
    (chain_id, token_address, token_symbol, token_name, token_decimals, first_seen_day, last_seen_day)
SELECT t.chain_id, t.token_address,
       (array_agg(t.token_symbol ORDER BY t.block_time DESC, t.block_number DESC, t.log_index DESC NULLS LAST, t.transfer_id DESC)
            FILTER (WHERE t.token_symbol IS NOT NULL))[1],
       (array_agg(t.token_name ORDER BY t.block_time DESC, t.block_number DESC, t.log_index DESC NULLS LAST, t.transfer_id DESC)
            FILTER (WHERE t.token_name IS NOT NULL))[1],
       (array_agg(t.token_decimals ORDER BY t.block_time DESC, t.block_number DESC, t.log_index DESC NULLS LAST, t.transfer_id DESC)
            FILTER (WHERE t.token_decimals IS NOT NULL))[1],
       $3, $3
FROM transfers t
WHERE t.block_time >= $1 AND t.block_time < $2
GROUP BY t.chain_id, t.token_address
ON CONFLICT (token_address, chain_id) DO UPDATE SET
    token_symbol = CASE WHEN excluded.last_seen_day >= m.last_seen_day
                        THEN coalesce(excluded.token_symbol, m.token_symbol)
                        ELSE coalesce(m.token_symbol, excluded.token_symbol) END,
    token_name = CASE WHEN excluded.last_seen_day >= m.last_seen_day
                      THEN coalesce(excluded.token_name, m.token_name)
                      ELSE coalesce(m.token_name, excluded.token_name) END,
    token_decimals = CASE WHEN excluded.last_seen_day >= m.last_seen_day
                          THEN coalesce(excluded.token_decimals, m.token_decimals)
                          ELSE coalesce(m.token_decimals, excluded.token_decimals) END,
    first_seen_day = least(m.first_seen_day, excluded.first_seen_day),
    last_seen_day = greatest(m.last_seen_day, excluded.last_seen_day);
