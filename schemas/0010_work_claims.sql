-- 0010_work_claims: several runners share one backfill (SPEC §13, docs/scaling.md "Work claiming").
--
-- `chainetl run … --claim` queues one row per (pipeline, work, partition) and each runner claims
-- the next claimable row with SELECT … FOR UPDATE SKIP LOCKED. A claim is a lease: its holder
-- renews `heartbeat_at` while it works, and a claim whose heartbeat is older than its
-- `lease_seconds` is taken over by another runner, which resumes from the checkpoints.
-- `work` is '' for a plain run and the run's --select/--force words otherwise, so a forced
-- backfill has its own queue and a finished partition is never redone by the same request.
-- A small coordinator table like the rest of the ledger (never distributed under Citus).
CREATE TABLE etl_claims (
    pipeline      text        NOT NULL,
    work          text        NOT NULL DEFAULT '',
    partition     date        NOT NULL,
    state         text        NOT NULL DEFAULT 'pending'
                  CHECK (state IN ('pending', 'claimed', 'done', 'failed')),
    attempts      integer     NOT NULL DEFAULT 0,
    holder_host   text,
    holder_pid    integer,
    -- Unique per claim: a heartbeat or release from a holder whose lease was taken over matches nothing.
    holder_token  text,
    lease_seconds double precision,
    claimed_at    timestamptz,
    heartbeat_at  timestamptz,
    finished_at   timestamptz,
    -- The run (etl_runs.id) that last worked the partition: the one that finished it once done.
    run_id        text,
    error         text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (pipeline, work, partition)
);
