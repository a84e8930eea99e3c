-- output: entity_daily_volume
-- params: day_start timestamptz, day_end timestamptz, day date, policy text
--
-- Volume attributed to entities on day $3, from daily_address_volume (run daily_address_volume.sql
-- first) joined with entity_address_attribution (the address book plus owner markers).
-- $4 = policy: 'stack' counts an address once per role it has for the entity (the historical
-- behaviour: a reward address that is also the facilitator pay-to address counts twice);
-- 'dedupe' counts it once per entity. Rebuilding from snapshots, not transfers, lets an address-book
-- change be applied to any past day, even one whose transfers were pruned.

SELECT chainetl_check_day_window($1, $2, $3), chainetl_check_attribution_policy($4);

DELETE FROM entity_daily_volume WHERE day = $3;

INSERT INTO entity_daily_volume
    (entity_id, chain_id, token_address, day, sent_raw, received_raw, sent_count, received_count,
     address_count, policy)
SELECT a.entity_id, v.chain_id, v.token_address, $3,
       sum(v.sent_raw), sum(v.received_raw), sum(v.sent_count), sum(v.received_count),
       count(DISTINCT v.address), $4
FROM daily_address_volume v
JOIN (
    SELECT DISTINCT entity_id, chain_id, address, CASE WHEN $4 = 'stack' THEN role END AS role
    FROM entity_address_attribution
) AS a ON a.chain_id = v.chain_id AND a.address = v.address
WHERE v.day = $3
GROUP BY a.entity_id, v.chain_id, v.token_address;
