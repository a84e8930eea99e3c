-- 0009_interrupted_units: a unit can end `interrupted` (SPEC §2, docs/runner.md "Stopping a run").
--
-- A run stopped by SIGINT/SIGTERM records the units it was running or had not started yet as
-- `interrupted`; so does the next `run` or `status` for the `running` units of a run whose
-- process is gone (its run lock is free). `--select failed` reruns them like failed ones.
-- etl_runs.status has no check constraint; its comment already lists `interrupted`.
ALTER TABLE etl_stage_runs DROP CONSTRAINT etl_stage_runs_status_check;
ALTER TABLE etl_stage_runs ADD CONSTRAINT etl_stage_runs_status_check
    CHECK (status IN ('running', 'succeeded', 'skipped', 'failed', 'blocked', 'interrupted'));
