-- output: daily_address_volume
-- params: day_start timestamptz, day_end timestamptz, day date
--
-- Per-address snapshot of [$1, $2) over volume transfers: what each address sent and received
-- per (chain, token), with transfer counts. One scan: each transfer yields a sender and a
-- receiver side.

SELECT chainetl_check_transfer_window($1, $2, $3);

DELETE FROM daily_address_volume WHERE day = $3;

INSERT INTO daily_address_volume
    (chain_id, token_address, address, day, sent_raw, received_raw, sent_count, received_count)
SELECT t.chain_id, t.token_address, side.address, $3,
       sum(side.sent_raw), sum(side.received_raw), sum(side.sent_count), sum(side.received_count)
FROM transfers t
CROSS JOIN LATERAL (VALUES
    (t.from_address, t.value::numeric, 0::numeric, 1::bigint, 0::bigint),
    (t.to_address, 0::numeric, t.value::numeric, 0::bigint, 1::bigint)
) AS side(address, sent_raw, received_raw, sent_count, received_count)
WHERE t.block_time >= $1 AND t.block_time < $2
  AND chainetl_is_volume_transfer(t.from_address, t.to_address)
GROUP BY t.chain_id, t.token_address, side.address;
