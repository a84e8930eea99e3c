-- 0012_rate_budget: one per-second rate budget per API key, shared by every runner on the database
-- (SPEC §13, docs/scaling.md "One rate budget per key").
--
-- One row per key, named by its fingerprint (never the key): the key's next free send slot, in
-- microseconds since the Unix epoch on the database's clock. A runner leases a few slots with one
-- statement (next_slot_us = greatest(next_slot_us, now + lead) + count × interval, RETURNING the
-- first), so two runners never get the same slot and all slots are at least one interval apart;
-- it gives an unused tail back only while no one leased after it. Slots in the past are worthless,
-- so nothing ever needs cleaning up. A small coordinator table (never distributed under Citus).
CREATE TABLE etl_rate_budget (
    key_fingerprint text        PRIMARY KEY,
    next_slot_us    bigint      NOT NULL,
    updated_at      timestamptz NOT NULL DEFAULT now()
);
