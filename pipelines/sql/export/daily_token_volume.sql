-- export: daily_token_volume
-- description: One row per chain, token and UTC day with at least one transfer of the token that day.
-- key: chain_id, token_address, day
-- column chain_id: EVM chain id.
-- column token_address: Token contract address, lowercase 0x hex.
-- column token_symbol: Token symbol as last seen in transfers; empty when the explorer sent none.
-- column day: The UTC day.
-- column token_decimals: Decimals of the token that day; empty when unknown (then the decimal-adjusted columns are empty too).
-- column transfer_count: Volume transfers (from <> to, neither the zero address).
-- column volume_raw: Sum of volume transfer values in raw token units (uint256 digits, exact).
-- column volume: volume_raw / 10^token_decimals, exact plain decimal.
-- column unique_senders: Distinct senders of volume transfers.
-- column unique_receivers: Distinct receivers of volume transfers.
-- column mint_count: Transfers from the zero address (mints).
-- column mint_raw: Sum of minted values in raw token units.
-- column mint: mint_raw / 10^token_decimals, exact plain decimal.
-- column burn_count: Transfers to the zero address (burns).
-- column burn_raw: Sum of burned values in raw token units.
-- column burn: burn_raw / 10^token_decimals, exact plain decimal.
-- column volume_usd: volume times the day's USD price, exact; empty when the price or decimals are unknown.
-- column last_transfer_at: Time of the day's last transfer of the token, ISO 8601 UTC.

SELECT d.chain_id,
       d.token_address,
       m.token_symbol,
       d.day,
       d.token_decimals,
       d.transfer_count,
       d.volume_raw,
       chainetl_decimal_adjust(d.volume_raw, d.token_decimals) AS volume,
       d.unique_senders,
       d.unique_receivers,
       d.mint_count,
       d.mint_raw,
       chainetl_decimal_adjust(d.mint_raw, d.token_decimals) AS mint,
       d.burn_count,
       d.burn_raw,
       chainetl_decimal_adjust(d.burn_raw, d.token_decimals) AS burn,
       d.volume_usd,
       d.last_transfer_at
FROM daily_token_volume d
LEFT JOIN token_metadata m ON m.chain_id = d.chain_id AND m.token_address = d.token_address
WHERE d.day = $3::date
ORDER BY d.chain_id, d.token_address
