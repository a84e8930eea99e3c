-- 0002_transfers: the canonical ERC-20 transfer store (SPEC §6), range-partitioned by month on
-- block_time. Applied by the migrator in one transaction; no schema qualification, so the objects
-- land in the first schema of search_path (tests apply it to a throwaway schema).
--
-- Keys (Citus-compatible, SPEC §13): the distribution column token_address is in every unique key
-- and no table has a foreign key. The partition key block_time must be in the primary key too.
--
-- transfer_id is bytea holding the 16-byte digest (TransferIdentity.digest), not 32 hex characters:
-- 17 bytes on disk instead of 33, so the primary key index is smaller and COPY parses less.
-- In COPY text format a value is written as \\x followed by 32 lowercase hex digits; exports render
-- it with encode(transfer_id, 'hex').

CREATE TABLE transfers (
    transfer_id    bytea         NOT NULL CHECK (octet_length(transfer_id) = 16),
    chain_id       bigint        NOT NULL,
    block_number   bigint        NOT NULL CHECK (block_number >= 0),
    block_time     timestamptz   NOT NULL,
    block_hash     text,
    tx_hash        text          NOT NULL,
    log_index      integer       CHECK (log_index >= 0),
    occurrence     integer       NOT NULL CHECK (occurrence >= 0),
    token_address  text          NOT NULL,
    from_address   text          NOT NULL,
    to_address     text          NOT NULL,
    value          numeric(78,0) NOT NULL
        CHECK (value >= 0 AND value <= 115792089237316195423570985008687907853269984665640564039457584007913129639935),
    token_symbol   text,
    token_name     text,
    token_decimals smallint      CHECK (token_decimals BETWEEN 0 AND 255),
    source         text          NOT NULL,
    pipeline       text          NOT NULL,
    loaded_at      timestamptz   NOT NULL DEFAULT now(),
    -- Dedupe against loaded rows probes (token_address, transfer_id); block_time is only here
    -- because a partitioned table's unique keys must contain the partition key.
    PRIMARY KEY (token_address, transfer_id, block_time)
) PARTITION BY RANGE (block_time);

-- The one secondary index: every daily aggregate, the live delta and the loader's
-- "replace this partition's rows from this source" select one UTC day by block_time.
-- Per-token queries use the primary key's token_address prefix plus partition pruning.
CREATE INDEX transfers_block_time_idx ON transfers (block_time);

-- Months whose partition the prune stage dropped. Aggregating a day in such a month would replace
-- kept daily snapshots with nothing, so chainetl_check_transfer_window refuses it.
CREATE TABLE transfers_pruned_months (
    month     date        PRIMARY KEY CHECK (month = date_trunc('month', month)::date),
    pruned_at timestamptz NOT NULL DEFAULT now()
);

-- The partition holding ts: transfers_yYYYYmMM, month taken in UTC.
CREATE FUNCTION chainetl_transfer_partition_name(ts timestamptz) RETURNS text
LANGUAGE sql STABLE STRICT PARALLEL SAFE
AS $$ SELECT 'transfers_y' || to_char(ts AT TIME ZONE 'UTC', 'YYYY"m"MM') $$;

-- The advisory lock serialising partition DDL (two-int key space, so it never collides with the
-- runner's single-bigint partition locks).
CREATE FUNCTION chainetl_transfer_partition_lock() RETURNS void
LANGUAGE sql VOLATILE
AS $$ SELECT pg_advisory_xact_lock(hashtext('chainetl'), hashtext('transfers.partitions')) $$;

-- Creates the month partition holding ts if it is missing and returns its name.
-- Call it in its own short transaction before loading: CREATE TABLE ... PARTITION OF takes an
-- ACCESS EXCLUSIVE lock on transfers until commit. When the partition exists it takes no lock.
CREATE FUNCTION chainetl_ensure_transfer_partition(ts timestamptz) RETURNS text
LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
    parent_schema text;
    partition_name text;
    month_start date;
BEGIN
    IF ts IS NULL THEN
        RAISE EXCEPTION 'chainetl_ensure_transfer_partition: timestamp is null'
            USING ERRCODE = 'null_value_not_allowed',
                  HINT = 'pass the block_time of a row to load';
    END IF;
    SELECT n.nspname INTO parent_schema
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.oid = 'transfers'::regclass;
    partition_name := chainetl_transfer_partition_name(ts);
    IF to_regclass(format('%I.%I', parent_schema, partition_name)) IS NOT NULL THEN
        RETURN partition_name;
    END IF;
    PERFORM chainetl_transfer_partition_lock();
    -- Re-check under the lock: a concurrent loader may have created it and committed.
    IF to_regclass(format('%I.%I', parent_schema, partition_name)) IS NULL THEN
        month_start := date_trunc('month', ts AT TIME ZONE 'UTC')::date;
        EXECUTE format(
            'CREATE TABLE IF NOT EXISTS %I.%I PARTITION OF %I.transfers FOR VALUES FROM (%L) TO (%L)',
            parent_schema, partition_name, parent_schema,
            to_char(month_start, 'YYYY-MM-DD') || ' 00:00:00+00',
            to_char((month_start + interval '1 month')::date, 'YYYY-MM-DD') || ' 00:00:00+00');
        DELETE FROM transfers_pruned_months WHERE month = month_start;
    END IF;
    RETURN partition_name;
END
$$;

-- Drops every month partition that ends on or before cutoff (the prune stage passes
-- today - retention_days), records the months in transfers_pruned_months and returns the dropped
-- names, oldest first. Rows between cutoff and the start of its month stay until that whole
-- month is past the cutoff. Daily tables and summaries are never touched.
CREATE FUNCTION chainetl_drop_transfer_partitions_before(cutoff date) RETURNS SETOF text
LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
    part record;
BEGIN
    IF cutoff IS NULL THEN
        RAISE EXCEPTION 'chainetl_drop_transfer_partitions_before: cutoff is null'
            USING ERRCODE = 'null_value_not_allowed',
                  HINT = 'pass today minus retention_days';
    END IF;
    PERFORM chainetl_transfer_partition_lock();
    FOR part IN
        SELECT n.nspname AS schema_name, c.relname AS name,
               to_date(substr(c.relname, 12), 'YYYY"m"MM') AS month_start
        FROM pg_inherits i
        JOIN pg_class c ON c.oid = i.inhrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE i.inhparent = 'transfers'::regclass
          AND c.relname ~ '^transfers_y[0-9]{4}m[0-9]{2}$'
        ORDER BY c.relname
    LOOP
        CONTINUE WHEN (part.month_start + interval '1 month')::date > cutoff;
        EXECUTE format('DROP TABLE %I.%I', part.schema_name, part.name);
        INSERT INTO transfers_pruned_months (month) VALUES (part.month_start)
        ON CONFLICT (month) DO NOTHING;
        RETURN NEXT part.name;
    END LOOP;
END
$$;
