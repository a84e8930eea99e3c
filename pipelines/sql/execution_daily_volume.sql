-- output: execution_daily_volume
-- params: day_start timestamptz, day_end timestamptz, day date, statuses text[]
--
-- Per (venue, account) for executions with executed_at in [$1, $2): volume = Σ filled_size ×
-- fill_price in exact numeric (a missing size or price contributes 0), execution_count = rows,
-- over statuses in $4 (null means the default {filled,partial}; matched exactly), test-mode
-- rows excluded.

SELECT chainetl_check_day_window($1, $2, $3);

DELETE FROM execution_daily_volume WHERE day = $3;

INSERT INTO execution_daily_volume (venue, account, day, volume, execution_count)
SELECT e.venue, e.account, $3,
       coalesce(sum(e.filled_size * e.fill_price), 0), count(*)
FROM executions e
WHERE e.executed_at >= $1 AND e.executed_at < $2
  AND NOT e.is_test
  AND e.status = ANY (coalesce($4, ARRAY['filled', 'partial']::text[]))
GROUP BY e.venue, e.account;
