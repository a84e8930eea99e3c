-- 0005_status: the last chain head each chain was seen at (read by `chainetl status`).
--
-- `chainetl status` asks the explorer for the head and records it here; with --offline, or when
-- the explorer cannot be reached, it falls back to this row and says the head is last-known.
-- Other writers (an extract stage that asked for the head anyway) may upsert it too.
-- One row per chain id; no foreign keys (Citus-friendly, like the ledger).

CREATE TABLE etl_chain_heads (
    chain_id     bigint      PRIMARY KEY,
    head_block   bigint      NOT NULL CHECK (head_block >= 0),
    -- Time of the head block; when the explorer only gives the number, the time it was observed.
    head_time    timestamptz NOT NULL,
    observed_at  timestamptz NOT NULL DEFAULT now(),
    -- Who observed it: `status`, or the stage id that asked.
    observed_by  text        NOT NULL
);
