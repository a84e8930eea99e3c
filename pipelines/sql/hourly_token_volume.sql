-- output: hourly_token_volume
-- params: day_start timestamptz, day_end timestamptz, day date
--
-- Volume transfers of [$1, $2) per UTC hour and token (hours without volume have no row).

SELECT chainetl_check_transfer_window($1, $2, $3);

DELETE FROM hourly_token_volume WHERE hour >= $1 AND hour < $2;

INSERT INTO hourly_token_volume (chain_id, token_address, hour, transfer_count, volume_raw)
SELECT t.chain_id, t.token_address, date_trunc('hour', t.block_time, 'UTC'),
       count(*), sum(t.value)
FROM transfers t
WHERE t.block_time >= $1 AND t.block_time < $2
  AND chainetl_is_volume_transfer(t.from_address, t.to_address)
GROUP BY t.chain_id, t.token_address, date_trunc('hour', t.block_time, 'UTC');
