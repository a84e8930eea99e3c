-- output: daily_token_volume
-- params: day_start timestamptz, day_end timestamptz, day date
--
-- One row per (chain, token) with any transfer in [$1, $2). Counts, volume and uniques over volume
-- transfers (from <> to, neither is zero); mints = from zero, burns = to zero. volume_usd =
-- volume_raw / 10^decimals × price (token_prices for the day, else token_fixed_prices), null when
-- either is unknown.

SELECT chainetl_check_transfer_window($1, $2, $3);

DELETE FROM daily_token_volume WHERE day = $3;

INSERT INTO daily_token_volume
    (chain_id, token_address, day, transfer_count, volume_raw, unique_senders, unique_receivers,
     mint_count, mint_raw, burn_count, burn_raw, all_transfer_count, all_value_raw,
     token_decimals, volume_usd, last_transfer_at)
SELECT d.chain_id, d.token_address, $3, d.transfer_count, d.volume_raw, d.unique_senders,
       d.unique_receivers, d.mint_count, d.mint_raw, d.burn_count, d.burn_raw,
       d.all_transfer_count, d.all_value_raw, d.token_decimals,
       chainetl_usd_value(d.volume_raw, d.token_decimals, coalesce(p.usd, f.usd)),
       d.last_transfer_at
FROM (
    SELECT t.chain_id, t.token_address,
           count(*) FILTER (WHERE t.is_volume) AS transfer_count,
           coalesce(sum(t.value) FILTER (WHERE t.is_volume), 0) AS volume_raw,
           count(DISTINCT t.from_address) FILTER (WHERE t.is_volume) AS unique_senders,
           count(DISTINCT t.to_address) FILTER (WHERE t.is_volume) AS unique_receivers,
           count(*) FILTER (WHERE t.from_address = chainetl_zero_address()) AS mint_count,
           coalesce(sum(t.value) FILTER (WHERE t.from_address = chainetl_zero_address()), 0) AS mint_raw,
           count(*) FILTER (WHERE t.to_address = chainetl_zero_address()) AS burn_count,
           coalesce(sum(t.value) FILTER (WHERE t.to_address = chainetl_zero_address()), 0) AS burn_raw,
           count(*) AS all_transfer_count,
           sum(t.value) AS all_value_raw,
           max(t.token_decimals) AS token_decimals,
           max(t.block_time) AS last_transfer_at
    FROM (
        SELECT chain_id, token_address, from_address, to_address, value::numeric AS value,
               token_decimals, block_time,
               chainetl_is_volume_transfer(from_address, to_address) AS is_volume
        FROM transfers
        WHERE block_time >= $1 AND block_time < $2
    ) AS t
    GROUP BY t.chain_id, t.token_address
) AS d
LEFT JOIN token_prices p
       ON p.chain_id = d.chain_id AND p.token_address = d.token_address AND p.day = $3
LEFT JOIN token_fixed_prices f
       ON f.chain_id = d.chain_id AND f.token_address = d.token_address;
