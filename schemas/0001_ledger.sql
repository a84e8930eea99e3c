-- Run ledger (SPEC §4): runs, stage runs, notable events, loads and explorer API quota.
--
-- Written by the runner as it goes; read by `chainetl status`, `plan` and `--select failed`.
-- Citus-friendly: no foreign keys between tables (on Citus these small tables stay local or
-- become reference tables), and every unique key is self-contained.

-- One row per `chainetl run` invocation.
CREATE TABLE etl_runs (
    id          text PRIMARY KEY,                 -- run id, also the session application_name
    pipeline    text NOT NULL,
    partitions  text[] NOT NULL DEFAULT '{}',     -- YYYY-MM-DD days the run covers
    started_at  timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    status      text NOT NULL,                    -- running | succeeded | failed | locked | interrupted
    args        jsonb NOT NULL DEFAULT '{}'::jsonb,
    host        text,
    pid         integer
);

CREATE INDEX etl_runs_pipeline_started_idx ON etl_runs (pipeline, started_at DESC);

-- One row per (run, partition, stage) unit the runner scheduled, including skips.
CREATE TABLE etl_stage_runs (
    id                 bigserial PRIMARY KEY,
    run_id             text NOT NULL,
    pipeline           text NOT NULL,
    partition          date NOT NULL,
    stage              text NOT NULL,
    status             text NOT NULL
        CHECK (status IN ('running', 'succeeded', 'skipped', 'failed', 'blocked')),
    rows_in            bigint NOT NULL DEFAULT 0,
    rows_out           bigint NOT NULL DEFAULT 0,
    rows_quarantined   bigint NOT NULL DEFAULT 0,
    rows_duplicates    bigint NOT NULL DEFAULT 0,
    rows_excluded      bigint NOT NULL DEFAULT 0,
    started_at         timestamptz NOT NULL DEFAULT now(),
    finished_at        timestamptz,
    duration_ms        bigint,
    error              text,
    checkpoint_hash    text
);

-- "Latest status of each stage of a partition" (status, plan, --select failed).
CREATE INDEX etl_stage_runs_latest_idx ON etl_stage_runs (pipeline, partition, stage, started_at DESC);
CREATE INDEX etl_stage_runs_run_idx ON etl_stage_runs (run_id);

-- Notable events: throttles, retries, quarantines, lock waits, …
CREATE TABLE etl_events (
    id        bigserial PRIMARY KEY,
    run_id    text NOT NULL,
    at        timestamptz NOT NULL DEFAULT now(),
    level     text NOT NULL
        CHECK (level IN ('trace', 'debug', 'info', 'notice', 'warning', 'error', 'critical')),
    kind      text NOT NULL,                      -- throttle | retry | quarantine | lock | …
    stage     text,
    partition date,
    message   text NOT NULL,
    details   jsonb NOT NULL DEFAULT '{}'::jsonb
);

CREATE INDEX etl_events_run_idx ON etl_events (run_id, at);
CREATE INDEX etl_events_kind_idx ON etl_events (kind, at DESC);

-- What each load stage last loaded into a partition; written in the load's own transaction, so
-- a rerun with the same manifest hash is a no-op and a new hash replaces the partition's rows.
CREATE TABLE etl_loads (
    pipeline       text NOT NULL,
    partition      date NOT NULL,
    stage          text NOT NULL,
    source         text NOT NULL,
    manifest_hash  text NOT NULL,
    rows_inserted  bigint NOT NULL DEFAULT 0,
    rows_present   bigint NOT NULL DEFAULT 0,
    rows_removed   bigint NOT NULL DEFAULT 0,
    loaded_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (pipeline, partition, stage)
);

-- Explorer API calls per key per UTC day; the key is stored only as a fingerprint.
CREATE TABLE etl_api_quota (
    key_fingerprint text NOT NULL,
    day             date NOT NULL,
    calls           bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (key_fingerprint, day)
);
