-- export: entity_daily_volume
-- description: One row per entity, chain, token and UTC day: volume attributed to the entity through its address book entries.
-- key: entity_id, chain_id, token_address, day
-- column entity_id: Entity id from the address book.
-- column entity_name: Entity name from the address book.
-- column chain_id: EVM chain id.
-- column token_address: Token contract address, lowercase 0x hex.
-- column day: The UTC day.
-- column sent_raw: Sum of values the entity's addresses sent in volume transfers, raw token units (exact).
-- column received_raw: Sum of values the entity's addresses received, raw token units (exact).
-- column sent_count: Volume transfers sent by the entity's addresses.
-- column received_count: Volume transfers received by the entity's addresses.
-- column address_count: Distinct attributed addresses with volume that day.
-- column policy: How an address reached through two roles counts: stack (twice) or dedupe (once).

SELECT v.entity_id,
       e.name AS entity_name,
       v.chain_id,
       v.token_address,
       v.day,
       v.sent_raw,
       v.received_raw,
       v.sent_count,
       v.received_count,
       v.address_count,
       v.policy
FROM entity_daily_volume v
LEFT JOIN entities e ON e.entity_id = v.entity_id
WHERE v.day = $3::date
ORDER BY v.entity_id, v.chain_id, v.token_address
