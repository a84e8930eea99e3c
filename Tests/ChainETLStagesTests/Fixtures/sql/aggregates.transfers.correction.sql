-- A corrected 2026-11-30 for AggregateSQLTests: T5 (token A, 0x22..22 -> 0x33..33, 100) was
-- really 0x22..22 -> 0x44..44 for 120. Applied after aggregates.transfers.two-days.sql.
DELETE FROM transfers WHERE tx_hash = '0x' || repeat('04', 32);

INSERT INTO transfers
    (transfer_id, chain_id, block_number, block_time, block_hash, tx_hash, log_index, occurrence,
     token_address, from_address, to_address, value, token_symbol, token_name, token_decimals,
     source, pipeline)
SELECT substring(sha256(convert_to(concat_ws('|', 1, v.tx_hash, v.token, v.sender, v.receiver,
                 v.value, 0), 'UTF8')) FROM 1 FOR 16),
       1, 110, '2026-11-30 13:00:00+00', NULL, v.tx_hash, 0, 0, v.token, v.sender, v.receiver,
       v.value::numeric, 'USDC', 'USD Coin', 6, 'fixture', 'aggregates-test'
FROM (VALUES ('0x' || repeat('04', 32), '0xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
              '0x2222222222222222222222222222222222222222', '0x4444444444444444444444444444444444444444', '120'))
    AS v(tx_hash, token, sender, receiver, value);
