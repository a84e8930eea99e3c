-- export: execution_daily_volume
-- description: One row per venue, account and UTC day with executions: filled volume and execution counts.
-- key: venue, account, day
-- column venue: The execution venue.
-- column account: The account at the venue.
-- column day: The UTC day.
-- column volume: Sum of filled_size times fill_price over counted executions, exact plain decimal.
-- column execution_count: Counted executions (configured statuses, test-mode rows excluded).

SELECT x.venue,
       x.account,
       x.day,
       x.volume,
       x.execution_count
FROM execution_daily_volume x
WHERE x.day = $3::date
ORDER BY x.venue, x.account
