-- export: platform_stats
-- description: Platform totals as of the partition's UTC day: one row per chain plus one row over all chains (empty unless that day was aggregated).
-- key: scope, chain_id
-- column scope: chain for a per-chain row, all for the row over every chain.
-- column chain_id: EVM chain id; 0 on the all-chains row.
-- column as_of_day: The closed UTC day the totals are computed as of.
-- column tokens: Tokens with a summary.
-- column active_tokens_24h: Tokens with volume transfers on the as-of day.
-- column transfers_24h: Volume transfers on the as-of day.
-- column transfers_7d: Volume transfers over 7 days.
-- column transfers_30d: Volume transfers over 30 days.
-- column transfers_total: Volume transfers over all loaded days.
-- column unique_senders_24h: Distinct sending addresses on the as-of day.
-- column holder_positions: Sum over tokens of holders (an address holding two tokens counts twice).
-- column volume_24h_usd: USD volume on the as-of day over priced tokens; empty when no token is priced.
-- column volume_7d_usd: USD volume over 7 days over priced tokens.
-- column volume_30d_usd: USD volume over 30 days over priced tokens.
-- column volume_total_usd: USD volume over all loaded days over priced tokens.
-- column tokens_unpriced_24h: Tokens left out of volume_24h_usd for lack of a price or decimals.
-- column tokens_unpriced_7d: Tokens left out of volume_7d_usd.

SELECT p.scope,
       coalesce(p.chain_id, 0) AS chain_id,
       p.as_of_day,
       p.tokens::bigint AS tokens,
       p.active_tokens_24h::bigint AS active_tokens_24h,
       p.transfers_24h::bigint AS transfers_24h,
       p.transfers_7d::bigint AS transfers_7d,
       p.transfers_30d::bigint AS transfers_30d,
       p.transfers_total::bigint AS transfers_total,
       p.unique_senders_24h::bigint AS unique_senders_24h,
       p.holder_positions::bigint AS holder_positions,
       p.volume_24h_usd,
       p.volume_7d_usd,
       p.volume_30d_usd,
       p.volume_total_usd,
       p.tokens_unpriced_24h::bigint AS tokens_unpriced_24h,
       p.tokens_unpriced_7d::bigint AS tokens_unpriced_7d
FROM platform_stats_as_of($3::date) p
ORDER BY p.scope, coalesce(p.chain_id, 0)
