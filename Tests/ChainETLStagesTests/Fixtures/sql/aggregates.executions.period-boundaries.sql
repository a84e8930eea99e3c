-- Executions for AggregateSQLTests around a Monday (2026-11-30) and a month start (2026-12-01).
-- The comment on each row says why it is there.
INSERT INTO executions
    (execution_id, venue, account, executed_at, status, filled_size, fill_price, is_test, source, pipeline)
VALUES
    ('x8',  'polymarket',  'alice', '2026-10-31 23:00:00+00',        'filled',    2,    0.1,       false, 'fixture', 'aggregates-test'), -- previous month: all_time only
    ('x1',  'polymarket',  'alice', '2026-11-29 23:59:59.999999+00', 'filled',    10,   0.5,       false, 'fixture', 'aggregates-test'), -- Sunday, last instant before the week
    ('x2',  'polymarket',  'alice', '2026-11-30 00:00:00+00',        'partial',   4,    0.25,      false, 'fixture', 'aggregates-test'), -- Monday 00:00: first instant of the week
    ('x3',  'polymarket',  'bob',   '2026-12-01 00:00:00+00',        'filled',    3,    0.3333,    false, 'fixture', 'aggregates-test'), -- first instant of December
    ('x4',  'polymarket',  'bob',   '2026-12-02 08:00:00+00',        'cancelled', 100,  1,         false, 'fixture', 'aggregates-test'), -- status outside the set
    ('x5',  'polymarket',  'bob',   '2026-12-02 09:00:00+00',        'filled',    1000, 1,         true,  'fixture', 'aggregates-test'), -- test mode
    ('x9',  'polymarket',  'carol', '2026-12-02 09:30:00+00',        'open',      7,    7,         false, 'fixture', 'aggregates-test'), -- status outside the set
    ('x6',  'hyperliquid', 'alice', '2026-12-02 10:00:00+00',        'filled',    2,    1234.5678, false, 'fixture', 'aggregates-test'), -- today
    ('x7',  'hyperliquid', 'alice', '2026-12-03 00:00:00+00',        'filled',    5,    2,         false, 'fixture', 'aggregates-test'); -- after the as-of day
