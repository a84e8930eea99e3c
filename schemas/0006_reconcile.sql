-- 0006_reconcile: partitions the reconcile stage marked for refetch (SPEC §10, docs/reconcile.md).
--
-- A reconcile stage with `refetch: true` (or `chainetl run --refetch`) inserts one open row per
-- mismatched (pipeline, partition, chain, token). The runner treats the extract stages of a
-- partition with open rows as not up to date, and sets cleared_at once a run reloaded the
-- partition successfully (every extract stage of it ran and no unit of it failed).
-- Citus-friendly like the other ledger tables: no foreign keys.

CREATE TABLE etl_refetch (
    id              bigserial PRIMARY KEY,
    pipeline        text NOT NULL,
    partition       date NOT NULL,
    chain_id        bigint NOT NULL,
    token_address   text NOT NULL,
    reason          text NOT NULL,
    marked_at       timestamptz NOT NULL DEFAULT now(),
    marked_by_run   text,
    cleared_at      timestamptz,
    cleared_by_run  text
);

-- At most one open mark per (pipeline, partition, chain, token); marking again refreshes it.
CREATE UNIQUE INDEX etl_refetch_open_idx ON etl_refetch (pipeline, partition, chain_id, token_address)
    WHERE cleared_at IS NULL;
