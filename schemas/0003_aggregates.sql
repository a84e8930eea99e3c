-- 0003_aggregates: daily snapshots, rolling summaries, attribution, executions and prices
-- (SPEC §7; definitions, grains and the SQL file that fills each table are in docs/aggregates.md).
--
-- Sums of raw amounts are unbounded numeric, not numeric(78,0): a single value is at most
-- 2^256 - 1 (78 digits), but ten of them already exceed 10^78 - 1, so a daily or all-time sum
-- would overflow numeric(78,0). Counts are bigint. Decimal-adjusted and USD values are exact
-- numeric (no float anywhere).
--
-- Citus (SPEC §13): every table keyed by token carries token_address in its primary key, so it
-- can be distributed by token_address and co-located with transfers; entities, prices and
-- executions are small reference/local tables. No foreign keys anywhere.

-- ---------------------------------------------------------------------------------------------
-- Shared definitions (inlined by the planner: single-expression SQL functions)
-- ---------------------------------------------------------------------------------------------

CREATE FUNCTION chainetl_zero_address() RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT '0x0000000000000000000000000000000000000000'::text $$;

-- A volume transfer (SPEC §7): from <> to, from is not zero, to is not zero.
CREATE FUNCTION chainetl_is_volume_transfer(from_address text, to_address text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT from_address <> to_address
       AND from_address <> '0x0000000000000000000000000000000000000000'
       AND to_address <> '0x0000000000000000000000000000000000000000'
$$;

-- raw / 10^decimals, exact (multiplying by the literal 1e-decimals never rounds); null when the
-- decimals are unknown.
CREATE FUNCTION chainetl_decimal_adjust(raw numeric, decimals integer) RETURNS numeric
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT trim_scale(raw * ('1e-' || decimals)::numeric) $$;

-- raw / 10^decimals * usd, exact; null when the decimals or the price are unknown (never 0).
CREATE FUNCTION chainetl_usd_value(raw numeric, decimals integer, usd numeric) RETURNS numeric
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT trim_scale(raw * ('1e-' || decimals)::numeric * usd) $$;

-- Refuses parameters that are not exactly one UTC day: $1 = day start, $2 = day end (exclusive),
-- $3 = the day. Every pipelines/sql file calls this (or the transfer variant) first.
CREATE FUNCTION chainetl_check_day_window(day_start timestamptz, day_end timestamptz, day date)
RETURNS void
LANGUAGE plpgsql STABLE
AS $$
BEGIN
    IF day_start IS NULL OR day_end IS NULL OR day IS NULL THEN
        RAISE EXCEPTION 'aggregate parameters must not be null'
            USING ERRCODE = 'null_value_not_allowed',
                  HINT = 'bind $1 = day start (timestamptz), $2 = day end exclusive (timestamptz), $3 = day (date)';
    END IF;
    IF day_start <> day::timestamp AT TIME ZONE 'UTC'
       OR day_end <> (day + 1)::timestamp AT TIME ZONE 'UTC' THEN
        RAISE EXCEPTION 'aggregate window [%, %) is not the UTC day %', day_start, day_end, day
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'bind $1 = day 00:00:00+00, $2 = next day 00:00:00+00, $3 = day';
    END IF;
END
$$;

-- chainetl_check_day_window, plus: the day's transfers still exist (not pruned by retention).
CREATE FUNCTION chainetl_check_transfer_window(day_start timestamptz, day_end timestamptz, day date)
RETURNS void
LANGUAGE plpgsql STABLE
AS $$
BEGIN
    PERFORM chainetl_check_day_window(day_start, day_end, day);
    IF EXISTS (SELECT 1 FROM transfers_pruned_months
               WHERE month = date_trunc('month', day)::date) THEN
        RAISE EXCEPTION 'transfers for % were pruned by retention; its kept daily aggregates cannot be rebuilt', day
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'reload the month from its checkpoints (load recreates the partition) before re-aggregating';
    END IF;
END
$$;

-- ---------------------------------------------------------------------------------------------
-- Prices and token metadata
-- ---------------------------------------------------------------------------------------------

-- Daily USD prices, loaded from a file (load/prices).
CREATE TABLE token_prices (
    chain_id      bigint  NOT NULL,
    token_address text    NOT NULL,
    day           date    NOT NULL,
    usd           numeric NOT NULL CHECK (usd >= 0),
    source        text,
    PRIMARY KEY (token_address, chain_id, day)
);

-- Fixed prices configured for stablecoins; a token_prices row for the day takes precedence.
CREATE TABLE token_fixed_prices (
    chain_id      bigint  NOT NULL,
    token_address text    NOT NULL,
    usd           numeric NOT NULL CHECK (usd >= 0),
    PRIMARY KEY (token_address, chain_id)
);

-- Symbol, name and decimals as last seen in transfers (pipelines/sql/token_metadata.sql).
CREATE TABLE token_metadata (
    chain_id       bigint   NOT NULL,
    token_address  text     NOT NULL,
    token_symbol   text,
    token_name     text,
    token_decimals smallint,
    first_seen_day date     NOT NULL,
    last_seen_day  date     NOT NULL,
    PRIMARY KEY (token_address, chain_id)
);

-- ---------------------------------------------------------------------------------------------
-- Daily tables (rebuilt per day: DELETE the day, INSERT the day, in the caller's transaction)
-- ---------------------------------------------------------------------------------------------

-- One row per (chain, token, day) with at least one transfer of any kind.
CREATE TABLE daily_token_volume (
    chain_id           bigint      NOT NULL,
    token_address      text        NOT NULL,
    day                date        NOT NULL,
    transfer_count     bigint      NOT NULL,  -- volume transfers
    volume_raw         numeric     NOT NULL,  -- Σ value over volume transfers
    unique_senders     bigint      NOT NULL,
    unique_receivers   bigint      NOT NULL,
    mint_count         bigint      NOT NULL,  -- from = zero
    mint_raw           numeric     NOT NULL,
    burn_count         bigint      NOT NULL,  -- to = zero
    burn_raw           numeric     NOT NULL,
    all_transfer_count bigint      NOT NULL,  -- every transfer, for reconcile
    all_value_raw      numeric     NOT NULL,
    token_decimals     smallint,              -- max non-null token_decimals seen that day
    volume_usd         numeric,               -- null when decimals or price unknown, never 0 then
    last_transfer_at   timestamptz NOT NULL,  -- latest block_time of any transfer that day
    PRIMARY KEY (day, chain_id, token_address)
);

-- Per-address snapshots over volume transfers.
CREATE TABLE daily_address_volume (
    chain_id       bigint  NOT NULL,
    token_address  text    NOT NULL,
    address        text    NOT NULL,
    day            date    NOT NULL,
    sent_raw       numeric NOT NULL,
    received_raw   numeric NOT NULL,
    sent_count     bigint  NOT NULL,
    received_count bigint  NOT NULL,
    PRIMARY KEY (day, chain_id, token_address, address)
);
-- Per-address history and address_volume_current lookups.
CREATE INDEX daily_address_volume_address_idx ON daily_address_volume (address, chain_id, token_address);

-- Per-holder net flows of one day over every transfer (mints, burns, self-transfers), the zero
-- address excluded. The ledger from which holder_balances is maintained
-- (pipelines/sql/holder_balances.sql).
CREATE TABLE daily_holder_flows (
    chain_id      bigint      NOT NULL,
    token_address text        NOT NULL,
    holder        text        NOT NULL,
    day           date        NOT NULL,
    inflow_raw    numeric     NOT NULL,
    outflow_raw   numeric     NOT NULL,
    first_seen    timestamptz NOT NULL,  -- earliest block_time of the holder's transfers that day
    last_active   timestamptz NOT NULL,  -- latest
    PRIMARY KEY (day, chain_id, token_address, holder)
);
-- The per-holder history probe used when a day is rebuilt (first_seen/last_active recompute).
CREATE INDEX daily_holder_flows_holder_idx ON daily_holder_flows (chain_id, token_address, holder, day);

-- Volume transfers per UTC hour.
CREATE TABLE hourly_token_volume (
    chain_id       bigint      NOT NULL,
    token_address  text        NOT NULL,
    hour           timestamptz NOT NULL CHECK (hour = date_trunc('hour', hour, 'UTC')),
    transfer_count bigint      NOT NULL,
    volume_raw     numeric     NOT NULL,
    PRIMARY KEY (hour, chain_id, token_address)
);

-- ---------------------------------------------------------------------------------------------
-- Balances (maintained incrementally from daily_holder_flows)
-- ---------------------------------------------------------------------------------------------

-- Σ inflow - outflow over every aggregated day; never the zero address; rows with balance 0 are
-- removed. Negative balances are kept: they mean the loaded history starts after the holder
-- received tokens. first_seen/last_active span all aggregated days.
CREATE TABLE holder_balances (
    chain_id      bigint      NOT NULL,
    token_address text        NOT NULL,
    holder        text        NOT NULL,
    balance_raw   numeric     NOT NULL,
    first_seen    timestamptz NOT NULL,
    last_active   timestamptz NOT NULL,
    PRIMARY KEY (token_address, chain_id, holder)
);
-- Zero rows only exist inside a rebuild; this tiny partial index makes their removal O(changed).
CREATE INDEX holder_balances_zero_idx ON holder_balances (chain_id) WHERE balance_raw = 0;

CREATE VIEW token_holder_counts AS
SELECT chain_id, token_address, count(*) AS holders
FROM holder_balances
WHERE balance_raw > 0
GROUP BY chain_id, token_address;

-- ---------------------------------------------------------------------------------------------
-- Rolling summary (rebuilt from daily tables, swapped by DELETE + INSERT in one transaction)
-- ---------------------------------------------------------------------------------------------

-- USD over a window of daily rows: null if a day with volume has an unknown USD value; for a window
-- without volume, 0 when the token is priced (decimals and a price known) and null otherwise.
CREATE FUNCTION chainetl_window_usd(volume_days bigint, unknown_days bigint, usd_sum numeric, priced boolean)
RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT CASE
        WHEN volume_days = 0 THEN CASE WHEN priced THEN 0::numeric END
        WHEN unknown_days = 0 THEN usd_sum
    END
$$;

CREATE TABLE token_summary (
    chain_id             bigint      NOT NULL,
    token_address        text        NOT NULL,
    as_of_day            date        NOT NULL,
    token_symbol         text,
    token_name           text,
    token_decimals       smallint,
    volume_24h_raw       numeric     NOT NULL,
    volume_7d_raw        numeric     NOT NULL,
    volume_30d_raw       numeric     NOT NULL,
    volume_total_raw     numeric     NOT NULL,
    transfers_24h        bigint      NOT NULL,
    transfers_7d         bigint      NOT NULL,
    transfers_30d        bigint      NOT NULL,
    transfers_total      bigint      NOT NULL,
    unique_senders_24h   bigint      NOT NULL,
    unique_receivers_24h bigint      NOT NULL,
    holders              bigint      NOT NULL,
    supply_raw           numeric     NOT NULL,  -- all-time mint_raw - burn_raw
    last_transfer_at     timestamptz NOT NULL,
    volume_24h_usd       numeric,
    volume_7d_usd        numeric,
    volume_30d_usd       numeric,
    volume_total_usd     numeric,
    PRIMARY KEY (token_address, chain_id)
);

-- Top tokens per chain. Raw amounts of different tokens are not comparable, so the order is
-- USD volume, then decimal-adjusted volume, then raw volume (unknowns last), then address.
CREATE VIEW top_tokens_24h AS
SELECT chain_id,
       row_number() OVER (PARTITION BY chain_id ORDER BY volume_24h_usd DESC NULLS LAST,
           chainetl_decimal_adjust(volume_24h_raw, token_decimals) DESC NULLS LAST,
           volume_24h_raw DESC, token_address) AS rank,
       as_of_day, token_address, token_symbol, token_decimals,
       volume_24h_raw AS volume_raw,
       chainetl_decimal_adjust(volume_24h_raw, token_decimals) AS volume,
       volume_24h_usd AS volume_usd,
       transfers_24h AS transfers, unique_senders_24h, holders
FROM token_summary;

CREATE VIEW top_tokens_7d AS
SELECT chain_id,
       row_number() OVER (PARTITION BY chain_id ORDER BY volume_7d_usd DESC NULLS LAST,
           chainetl_decimal_adjust(volume_7d_raw, token_decimals) DESC NULLS LAST,
           volume_7d_raw DESC, token_address) AS rank,
       as_of_day, token_address, token_symbol, token_decimals,
       volume_7d_raw AS volume_raw,
       chainetl_decimal_adjust(volume_7d_raw, token_decimals) AS volume,
       volume_7d_usd AS volume_usd,
       transfers_7d AS transfers, unique_senders_24h, holders
FROM token_summary;

CREATE VIEW top_tokens_total AS
SELECT chain_id,
       row_number() OVER (PARTITION BY chain_id ORDER BY volume_total_usd DESC NULLS LAST,
           chainetl_decimal_adjust(volume_total_raw, token_decimals) DESC NULLS LAST,
           volume_total_raw DESC, token_address) AS rank,
       as_of_day, token_address, token_symbol, token_decimals,
       volume_total_raw AS volume_raw,
       chainetl_decimal_adjust(volume_total_raw, token_decimals) AS volume,
       volume_total_usd AS volume_usd,
       transfers_total AS transfers, unique_senders_24h, holders
FROM token_summary;

-- Platform totals per chain (scope 'chain') and over all chains (scope 'all', chain_id null).
-- USD sums cover priced tokens only (null when none is priced); tokens_unpriced_* counts the
-- tokens left out.
CREATE VIEW platform_stats AS
WITH tokens AS (
    SELECT chain_id, as_of_day,
           count(*) AS tokens,
           count(*) FILTER (WHERE transfers_24h > 0) AS active_tokens_24h,
           sum(transfers_24h) AS transfers_24h,
           sum(transfers_7d) AS transfers_7d,
           sum(transfers_30d) AS transfers_30d,
           sum(transfers_total) AS transfers_total,
           sum(holders) AS holder_positions,
           sum(volume_24h_usd) AS volume_24h_usd,
           sum(volume_7d_usd) AS volume_7d_usd,
           sum(volume_30d_usd) AS volume_30d_usd,
           sum(volume_total_usd) AS volume_total_usd,
           count(*) FILTER (WHERE volume_24h_usd IS NULL) AS tokens_unpriced_24h,
           count(*) FILTER (WHERE volume_7d_usd IS NULL) AS tokens_unpriced_7d,
           grouping(chain_id) AS all_chains
    FROM token_summary
    GROUP BY GROUPING SETS ((chain_id, as_of_day), (as_of_day))
), senders AS (
    SELECT a.chain_id,
           count(DISTINCT (a.chain_id, a.address)) AS unique_senders_24h,
           grouping(a.chain_id) AS all_chains
    FROM daily_address_volume a
    WHERE a.sent_count > 0
      AND a.day = (SELECT max(as_of_day) FROM token_summary)
    GROUP BY GROUPING SETS ((a.chain_id), ())
)
SELECT CASE WHEN t.all_chains = 1 THEN 'all' ELSE 'chain' END AS scope,
       t.chain_id, t.as_of_day, t.tokens, t.active_tokens_24h,
       t.transfers_24h, t.transfers_7d, t.transfers_30d, t.transfers_total,
       coalesce(s.unique_senders_24h, 0) AS unique_senders_24h,
       t.holder_positions,
       t.volume_24h_usd, t.volume_7d_usd, t.volume_30d_usd, t.volume_total_usd,
       t.tokens_unpriced_24h, t.tokens_unpriced_7d
FROM tokens t
LEFT JOIN senders s ON s.all_chains = t.all_chains AND s.chain_id IS NOT DISTINCT FROM t.chain_id;

-- Snapshot + live delta (SPEC §7): all closed daily snapshots plus the volume transfers after the
-- last snapshot day (max(day) of daily_token_volume, shared by all chains because one aggregate
-- run covers every chain of a day). The bound is a scalar subquery, so only the recent partitions
-- and block_time index range are read. Snapshots are assumed contiguous (the runner backfills).
CREATE VIEW address_volume_current AS
SELECT chain_id, token_address, address,
       sum(sent_raw) AS sent_raw, sum(received_raw) AS received_raw,
       sum(sent_count) AS sent_count, sum(received_count) AS received_count
FROM (
    SELECT chain_id, token_address, address, sent_raw, received_raw, sent_count, received_count
    FROM daily_address_volume
    UNION ALL
    SELECT t.chain_id, t.token_address, side.address, side.sent_raw, side.received_raw,
           side.sent_count, side.received_count
    FROM transfers t
    CROSS JOIN LATERAL (VALUES
        (t.from_address, t.value::numeric, 0::numeric, 1::bigint, 0::bigint),
        (t.to_address, 0::numeric, t.value::numeric, 0::bigint, 1::bigint)
    ) AS side(address, sent_raw, received_raw, sent_count, received_count)
    WHERE chainetl_is_volume_transfer(t.from_address, t.to_address)
      AND t.block_time >= coalesce(
          (SELECT (max(day) + 1)::timestamp AT TIME ZONE 'UTC' FROM daily_token_volume),
          '-infinity'::timestamptz)
) AS combined
GROUP BY chain_id, token_address, address;

-- ---------------------------------------------------------------------------------------------
-- Attribution
-- ---------------------------------------------------------------------------------------------

-- The address book (load/address-book upserts both tables idempotently).
CREATE TABLE entities (
    entity_id       text NOT NULL PRIMARY KEY,
    name            text NOT NULL,
    kind            text NOT NULL,
    owner_entity_id text CHECK (owner_entity_id <> entity_id),
    metadata        jsonb NOT NULL DEFAULT '{}'::jsonb
);

CREATE TABLE entity_addresses (
    entity_id text   NOT NULL,
    chain_id  bigint NOT NULL,
    address   text   NOT NULL,
    role      text   NOT NULL,  -- e.g. reward, facilitator_pay_to, treasury
    PRIMARY KEY (entity_id, chain_id, address, role)
);
CREATE INDEX entity_addresses_address_idx ON entity_addresses (chain_id, address);

-- Every (entity, address, role) that attributes volume: the book's own rows, plus the owner
-- markers derived at query time: an entity's facilitator_pay_to address also counts for its owner
-- entity (one level), with via_entity_id naming the owned entity. Because it is a view, owner
-- markers hold for every entity whenever it was loaded: no backfill can be forgotten.
CREATE VIEW entity_address_attribution AS
SELECT a.entity_id, a.chain_id, a.address, a.role, NULL::text AS via_entity_id
FROM entity_addresses a
UNION ALL
SELECT owner.entity_id, a.chain_id, a.address, a.role, a.entity_id AS via_entity_id
FROM entity_addresses a
JOIN entities owned ON owned.entity_id = a.entity_id
JOIN entities owner ON owner.entity_id = owned.owner_entity_id
WHERE a.role = 'facilitator_pay_to';

CREATE FUNCTION chainetl_check_attribution_policy(policy text) RETURNS void
LANGUAGE plpgsql IMMUTABLE
AS $$
BEGIN
    IF policy IS NULL OR policy NOT IN ('stack', 'dedupe') THEN
        RAISE EXCEPTION 'unknown attribution policy %', coalesce(quote_literal(policy), 'null')
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'set the aggregate stage''s attribution_policy to stack or dedupe';
    END IF;
END
$$;

-- Volume attributed to entities from daily_address_volume (volume transfers).
CREATE TABLE entity_daily_volume (
    entity_id      text    NOT NULL,
    chain_id       bigint  NOT NULL,
    token_address  text    NOT NULL,
    day            date    NOT NULL,
    sent_raw       numeric NOT NULL,
    received_raw   numeric NOT NULL,
    sent_count     bigint  NOT NULL,
    received_count bigint  NOT NULL,
    address_count  bigint  NOT NULL,  -- distinct attributed addresses with volume that day
    policy         text    NOT NULL CHECK (policy IN ('stack', 'dedupe')),
    PRIMARY KEY (day, entity_id, chain_id, token_address)
);

-- ---------------------------------------------------------------------------------------------
-- Executions (application events, not chain data)
-- ---------------------------------------------------------------------------------------------

CREATE TABLE executions (
    execution_id text        NOT NULL,
    venue        text        NOT NULL,
    account      text        NOT NULL,
    executed_at  timestamptz NOT NULL,
    status       text        NOT NULL,
    symbol       text,
    side         text,
    filled_size  numeric     CHECK (filled_size >= 0),
    fill_price   numeric     CHECK (fill_price >= 0),
    is_test      boolean     NOT NULL DEFAULT false,
    source       text        NOT NULL,
    pipeline     text        NOT NULL,
    loaded_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (venue, execution_id)
);
CREATE INDEX executions_executed_at_idx ON executions (executed_at);

CREATE TABLE execution_daily_volume (
    venue           text    NOT NULL,
    account         text    NOT NULL,
    day             date    NOT NULL,
    volume          numeric NOT NULL,  -- Σ filled_size × fill_price, exact
    execution_count bigint  NOT NULL,
    PRIMARY KEY (day, venue, account)
);

-- Period totals as of a time: today (the as-of UTC day), this_week (from Monday 00:00 UTC),
-- this_month (from the 1st 00:00 UTC) and all_time, each up to and including the as-of day
-- (whole days: the grain of execution_daily_volume). Scopes: venue_account, venue, account
-- (across venues) and all. Every key with activity on or before the as-of day gets all four
-- periods (0 when idle); no activity at all gives zero rows.
CREATE FUNCTION execution_period_volume(as_of timestamptz)
RETURNS TABLE (scope text, venue text, account text, period text, volume numeric, execution_count bigint)
LANGUAGE sql STABLE
AS $$
    WITH bounds AS (
        SELECT (as_of AT TIME ZONE 'UTC')::date AS today,
               date_trunc('week', as_of AT TIME ZONE 'UTC')::date AS week_start,
               date_trunc('month', as_of AT TIME ZONE 'UTC')::date AS month_start
    ), spread AS (
        SELECT d.venue, d.account, p.period, d.volume, d.execution_count,
               (p.period_start IS NULL OR d.day >= p.period_start) AS in_period
        FROM execution_daily_volume d
        CROSS JOIN bounds b
        CROSS JOIN LATERAL (VALUES
            ('today', b.today), ('this_week', b.week_start),
            ('this_month', b.month_start), ('all_time', NULL::date)
        ) AS p(period, period_start)
        WHERE d.day <= b.today
    )
    SELECT CASE grouping(s.venue, s.account)
               WHEN 0 THEN 'venue_account' WHEN 1 THEN 'venue' WHEN 2 THEN 'account' ELSE 'all'
           END,
           s.venue, s.account, s.period,
           coalesce(sum(s.volume) FILTER (WHERE s.in_period), 0),
           coalesce(sum(s.execution_count) FILTER (WHERE s.in_period), 0)::bigint
    FROM spread s
    GROUP BY GROUPING SETS ((s.venue, s.account, s.period), (s.venue, s.period),
                            (s.account, s.period), (s.period))
$$;

CREATE VIEW execution_period_stats AS
SELECT * FROM execution_period_volume(now());
