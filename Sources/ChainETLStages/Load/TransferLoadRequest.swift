import ChainETLCore

/// What one partition load is: its scope in the table and the checkpoint it loads.
///
/// The scope is (pipeline, partition day, chains): a load replaces exactly this pipeline's rows of
/// that day on those chains, and rows other pipelines loaded are never touched.
package struct TransferLoadRequest: Sendable {
    package var pipeline: String
    package var partition: PartitionDay
    /// The load stage's id: the key of its `etl_loads` ledger row.
    package var stage: String
    /// The input stage id, recorded as the ledger's `source` and named in errors.
    package var source: String
    /// The `contentHash` of the input checkpoint's manifest.
    package var manifestHash: String
    /// Lines in the input checkpoint (reported as rows in when the load is a no-op).
    package var totalRows: Int
    /// Chain ids loaded, sorted and distinct; rows of other chains are excluded.
    package var chainIDs: [Int]
    /// The target table (`transfers` unless configured).
    package var table: String

    package init(
        pipeline: String, partition: PartitionDay, stage: String, source: String, manifestHash: String,
        totalRows: Int, chainIDs: [Int], table: String = TransferLoader.defaultTable
    ) {
        self.pipeline = pipeline
        self.partition = partition
        self.stage = stage
        self.source = source
        self.manifestHash = manifestHash
        self.totalRows = totalRows
        self.chainIDs = Array(Set(chainIDs)).sorted()
        self.table = table
    }
}
