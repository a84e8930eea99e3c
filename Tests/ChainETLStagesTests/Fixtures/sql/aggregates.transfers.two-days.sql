-- Hand-built transfers for AggregateSQLTests: two aggregated UTC days, 2026-11-30 (a Monday, in
-- partition transfers_y2026m11) and 2026-12-01 (transfers_y2026m12), one transfer just before
-- (2026-11-29, never aggregated) and live transfers on 2026-12-02 (after the last snapshot day).
-- Expected values are computed by hand in AggregateSQLTests.swift; the comment on each row names it.
--
-- Addresses: Z = zero, U1..U4 = 0x11..11 .. 0x44..44. Tokens on chain 1:
--   A 0xaa..aa "USDC" 6 decimals (fixed price 1.00, daily price 0.999 on 12-01)
--   B 0xbb..bb "MYST" unknown decimals (price 3 on 11-30, still no USD)
--   C 0xcc..cc "BIG" 18 decimals, values up to 2^256-1 (price 2.5 on 11-30 only)
-- and token A's address again on chain 25 (no price).
-- transfer_id is computed exactly as TransferIdentity does: first 16 bytes of SHA-256 of
-- "chain|tx|token|from|to|value|occurrence".

SELECT chainetl_ensure_transfer_partition('2026-11-29 23:59:59+00');
SELECT chainetl_ensure_transfer_partition('2026-12-01 00:00:00+00');

INSERT INTO transfers
    (transfer_id, chain_id, block_number, block_time, block_hash, tx_hash, log_index, occurrence,
     token_address, from_address, to_address, value, token_symbol, token_name, token_decimals,
     source, pipeline)
SELECT substring(sha256(convert_to(concat_ws('|', v.chain_id, v.tx_hash, tok.address, f.address,
                 r.address, v.value, v.occurrence), 'UTF8')) FROM 1 FOR 16),
       v.chain_id, v.block_number, v.block_time::timestamptz, NULL, v.tx_hash, v.log_index,
       v.occurrence, tok.address, f.address, r.address, v.value::numeric, tok.symbol, tok.token_name,
       v.decimals::smallint, 'fixture', 'aggregates-test'
FROM (VALUES
    -- name, chain, block, block_time, tx hash, log index, occurrence, token, from, to, value, decimals
    ('T0',  1, 99,  '2026-11-29 23:59:59.999999+00', '0x' || repeat('0b', 32), 0, 0, 'A', 'U1', 'U4', '999', 6),
    -- day 1: 2026-11-30
    ('T1',  1, 100, '2026-11-30 00:00:00+00',        '0x' || repeat('01', 32), 0, 0, 'A', 'Z',  'U1', '1000', 6),
    ('T2',  1, 101, '2026-11-30 01:15:00+00',        '0x' || repeat('02', 32), 0, 0, 'A', 'U1', 'U2', '300', 6),
    ('T3',  1, 101, '2026-11-30 01:15:00+00',        '0x' || repeat('02', 32), 1, 1, 'A', 'U1', 'U2', '300', 6),
    ('T4',  1, 102, '2026-11-30 02:00:00+00',        '0x' || repeat('03', 32), 0, 0, 'A', 'U2', 'U2', '50', 6),
    ('T5',  1, 110, '2026-11-30 13:00:00+00',        '0x' || repeat('04', 32), 0, 0, 'A', 'U2', 'U3', '100', NULL),
    ('T6',  1, 119, '2026-11-30 23:59:59.999999+00', '0x' || repeat('05', 32), 0, 0, 'A', 'U3', 'Z',  '40', 6),
    ('T7',  1, 103, '2026-11-30 03:00:00+00',        '0x' || repeat('06', 32), 0, 0, 'B', 'Z',  'U3', '5000', NULL),
    ('T8',  1, 104, '2026-11-30 03:30:00+00',        '0x' || repeat('07', 32), 0, 0, 'B', 'U3', 'U4', '1234', NULL),
    ('T9',  1, 105, '2026-11-30 04:00:00+00',        '0x' || repeat('08', 32), 0, 0, 'C', 'Z',  'U1',
        '115792089237316195423570985008687907853269984665640564039457584007913129639935', 18),
    ('T10', 1, 106, '2026-11-30 04:10:00+00',        '0x' || repeat('09', 32), 0, 0, 'C', 'U1', 'U2',
        '115792089237316195423570985008687907853269984665640564039457584007913129639934', 18),
    ('T11', 1, 107, '2026-11-30 04:20:00+00',        '0x' || repeat('0a', 32), 0, 0, 'C', 'Z',  'U3',
        '115792089237316195423570985008687907853269984665640564039457584007913129639935', 18),
    ('T12', 1, 108, '2026-11-30 04:30:00+00',        '0x' || repeat('0c', 32), 0, 0, 'C', 'U3', 'U4',
        '115792089237316195423570985008687907853269984665640564039457584007913129639935', 18),
    ('T12b', 25, 5000, '2026-11-30 10:00:00+00',     '0x' || repeat('0d', 32), 3, 0, 'A', 'U1', 'U2', '7', 6),
    -- day 2: 2026-12-01
    ('T13', 1, 200, '2026-12-01 00:00:00+00',        '0x' || repeat('10', 32), NULL, 0, 'A', 'U2', 'U1', '200', NULL),
    ('T14', 1, 205, '2026-12-01 05:00:00+00',        '0x' || repeat('11', 32), 0, 0, 'A', 'U2', 'U3', '10', 6),
    ('T15', 1, 206, '2026-12-01 06:00:00+00',        '0x' || repeat('12', 32), 0, 0, 'A', 'U3', 'Z',  '70', 6),
    ('T16', 1, 207, '2026-12-01 07:00:00+00',        '0x' || repeat('13', 32), 0, 0, 'A', 'Z',  'U4', '500', 6),
    ('T17', 1, 208, '2026-12-01 08:00:00+00',        '0x' || repeat('14', 32), 0, 0, 'B', 'U4', 'U3', '234', NULL),
    ('T18', 1, 209, '2026-12-01 09:00:00+00',        '0x' || repeat('15', 32), 0, 0, 'C', 'U2', 'U1', '5', 18),
    -- live: 2026-12-02 (after the last snapshot day)
    ('T19', 1, 300, '2026-12-02 00:00:01+00',        '0x' || repeat('20', 32), 0, 0, 'A', 'U1', 'U2', '1', 6),
    ('T20', 1, 301, '2026-12-02 01:00:00+00',        '0x' || repeat('21', 32), 0, 0, 'C', 'U1', 'U4', '1', 18),
    ('T21', 1, 302, '2026-12-02 02:00:00+00',        '0x' || repeat('22', 32), 0, 0, 'A', 'Z',  'U2', '9', 6)
) AS v(name, chain_id, block_number, block_time, tx_hash, log_index, occurrence, token, sender,
       receiver, value, decimals)
JOIN (VALUES
    ('A', '0xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 'USDC', 'USD Coin'),
    ('B', '0xbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb', 'MYST', 'Mystery'),
    ('C', '0xcccccccccccccccccccccccccccccccccccccccc', 'BIG', 'Big Values')
) AS tok(name, address, symbol, token_name) ON tok.name = v.token
JOIN (VALUES
    ('Z',  '0x0000000000000000000000000000000000000000'),
    ('U1', '0x1111111111111111111111111111111111111111'),
    ('U2', '0x2222222222222222222222222222222222222222'),
    ('U3', '0x3333333333333333333333333333333333333333'),
    ('U4', '0x4444444444444444444444444444444444444444')
) AS f(name, address) ON f.name = v.sender
JOIN (VALUES
    ('Z',  '0x0000000000000000000000000000000000000000'),
    ('U1', '0x1111111111111111111111111111111111111111'),
    ('U2', '0x2222222222222222222222222222222222222222'),
    ('U3', '0x3333333333333333333333333333333333333333'),
    ('U4', '0x4444444444444444444444444444444444444444')
) AS r(name, address) ON r.name = v.receiver;

INSERT INTO token_fixed_prices (chain_id, token_address, usd) VALUES
    (1, '0xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 1.00);

INSERT INTO token_prices (chain_id, token_address, day, usd, source) VALUES
    (1, '0xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', '2026-12-01', 0.999, 'fixture'),
    (1, '0xbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb', '2026-11-30', 3, 'fixture'),
    (1, '0xcccccccccccccccccccccccccccccccccccccccc', '2026-11-30', 2.5, 'fixture');
