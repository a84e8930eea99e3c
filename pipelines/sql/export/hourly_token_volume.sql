-- export: hourly_token_volume
-- description: One row per chain, token and UTC hour of the day with at least one volume transfer.
-- key: chain_id, token_address, hour
-- column chain_id: EVM chain id.
-- column token_address: Token contract address, lowercase 0x hex.
-- column hour: Start of the UTC hour, ISO 8601 UTC.
-- column transfer_count: Volume transfers in the hour.
-- column volume_raw: Sum of volume transfer values in the hour, raw token units (exact).
-- column volume: volume_raw / 10^decimals of the token that day, exact plain decimal; empty when unknown.

SELECT h.chain_id,
       h.token_address,
       h.hour,
       h.transfer_count,
       h.volume_raw,
       chainetl_decimal_adjust(h.volume_raw, d.token_decimals) AS volume
FROM hourly_token_volume h
LEFT JOIN daily_token_volume d
       ON d.day = $3::date AND d.chain_id = h.chain_id AND d.token_address = h.token_address
WHERE h.hour >= $1::timestamptz AND h.hour < $2::timestamptz
ORDER BY h.chain_id, h.token_address, h.hour
