-- export: daily_address_volume
-- description: One row per chain, token, address and UTC day in which the address sent or received volume transfers.
-- key: chain_id, token_address, address, day
-- column chain_id: EVM chain id.
-- column token_address: Token contract address, lowercase 0x hex.
-- column address: The sending or receiving address, lowercase 0x hex.
-- column day: The UTC day.
-- column sent_raw: Sum of values the address sent in volume transfers, raw token units (exact).
-- column sent: sent_raw / 10^decimals of the token that day, exact plain decimal; empty when unknown.
-- column received_raw: Sum of values the address received in volume transfers, raw token units (exact).
-- column received: received_raw / 10^decimals of the token that day, exact plain decimal; empty when unknown.
-- column sent_count: Volume transfers the address sent.
-- column received_count: Volume transfers the address received.

SELECT a.chain_id,
       a.token_address,
       a.address,
       a.day,
       a.sent_raw,
       chainetl_decimal_adjust(a.sent_raw, d.token_decimals) AS sent,
       a.received_raw,
       chainetl_decimal_adjust(a.received_raw, d.token_decimals) AS received,
       a.sent_count,
       a.received_count
FROM daily_address_volume a
LEFT JOIN daily_token_volume d
       ON d.day = a.day AND d.chain_id = a.chain_id AND d.token_address = a.token_address
WHERE a.day = $3::date
ORDER BY a.chain_id, a.token_address, a.address
