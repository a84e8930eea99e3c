-- 0007_load_ledger: what a load left in the table, so a rerun can tell "still loaded" from "gone".
--
-- rows_held is the number of rows of the load's scope (pipeline, partition day, its chains) that
-- the table held when the load committed: rows it inserted plus rows of this pipeline it found
-- already present. A rerun with the same input manifest is a no-op only while the table still
-- holds exactly that many; after a pruned month, a restored backup or a manual delete it differs
-- and the partition is loaded again. rows_inserted + rows_present cannot stand in for it, because
-- rows another pipeline loaded first count as present but stay that pipeline's.
ALTER TABLE etl_loads ADD COLUMN rows_held bigint NOT NULL DEFAULT 0 CHECK (rows_held >= 0);
