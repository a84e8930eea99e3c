-- export: token_summary
-- description: One row per chain and token: rolling volumes as of the end of the partition's UTC day (empty unless that day was aggregated).
-- key: chain_id, token_address
-- column chain_id: EVM chain id.
-- column token_address: Token contract address, lowercase 0x hex.
-- column as_of_day: The closed UTC day the summary is computed as of; 24h means that day.
-- column token_symbol: Token symbol as last seen in transfers.
-- column token_name: Token name as last seen in transfers.
-- column token_decimals: Token decimals; empty when unknown.
-- column volume_24h_raw: Volume transfer values on the as-of day, raw token units (exact).
-- column volume_24h: volume_24h_raw / 10^token_decimals, exact plain decimal.
-- column volume_7d_raw: Volume over the 7 days ending on the as-of day, raw token units.
-- column volume_7d: volume_7d_raw / 10^token_decimals, exact plain decimal.
-- column volume_30d_raw: Volume over the 30 days ending on the as-of day, raw token units.
-- column volume_30d: volume_30d_raw / 10^token_decimals, exact plain decimal.
-- column volume_total_raw: Volume over all loaded days up to the as-of day, raw token units.
-- column volume_total: volume_total_raw / 10^token_decimals, exact plain decimal.
-- column transfers_24h: Volume transfers on the as-of day.
-- column transfers_7d: Volume transfers over 7 days.
-- column transfers_30d: Volume transfers over 30 days.
-- column transfers_total: Volume transfers over all loaded days.
-- column unique_senders_24h: Distinct senders of volume transfers on the as-of day.
-- column unique_receivers_24h: Distinct receivers of volume transfers on the as-of day.
-- column holders: Addresses with a positive balance through the as-of day.
-- column supply_raw: Mints minus burns up to the as-of day, raw token units.
-- column supply: supply_raw / 10^token_decimals, exact plain decimal.
-- column last_transfer_at: Time of the token's last transfer up to the as-of day, ISO 8601 UTC.
-- column volume_24h_usd: USD value of volume_24h; empty when a price or the decimals are unknown.
-- column volume_7d_usd: USD value of volume_7d; empty when unknown.
-- column volume_30d_usd: USD value of volume_30d; empty when unknown.
-- column volume_total_usd: USD value of volume_total; empty when unknown.

SELECT s.chain_id,
       s.token_address,
       s.as_of_day,
       s.token_symbol,
       s.token_name,
       s.token_decimals,
       s.volume_24h_raw,
       chainetl_decimal_adjust(s.volume_24h_raw, s.token_decimals) AS volume_24h,
       s.volume_7d_raw,
       chainetl_decimal_adjust(s.volume_7d_raw, s.token_decimals) AS volume_7d,
       s.volume_30d_raw,
       chainetl_decimal_adjust(s.volume_30d_raw, s.token_decimals) AS volume_30d,
       s.volume_total_raw,
       chainetl_decimal_adjust(s.volume_total_raw, s.token_decimals) AS volume_total,
       s.transfers_24h,
       s.transfers_7d,
       s.transfers_30d,
       s.transfers_total,
       s.unique_senders_24h,
       s.unique_receivers_24h,
       s.holders,
       s.supply_raw,
       chainetl_decimal_adjust(s.supply_raw, s.token_decimals) AS supply,
       s.last_transfer_at,
       s.volume_24h_usd,
       s.volume_7d_usd,
       s.volume_30d_usd,
       s.volume_total_usd
FROM token_summary_by_day s
WHERE s.as_of_day = $3::date
ORDER BY s.chain_id, s.token_address
