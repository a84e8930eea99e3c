import ChainETLCore
import Foundation

/// What an extract stage's newest closed checkpoint says about one chain's day.
struct ExtractHistory: Sendable, Equatable {
    var partition: PartitionDay
    var targets: Int
    var rows: Int
    var calls: Int
    var blocks: Int

    /// How many partitions back (newest first) are searched for a checkpoint.
    static let searchDepth = 62

    /// The newest checkpoint of `stageID` in `workdir` whose manifest has closed-day details for
    /// `chain`; nil when there is none.
    static func latest(workdir: URL, pipeline: String, stageID: String, chain: String) -> ExtractHistory? {
        let pipelineDirectory = workdir.appendingPathComponent("checkpoints/\(pipeline)", isDirectory: true)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: pipelineDirectory.path)) ?? []
        let days = names.compactMap(PartitionDay.init).sorted(by: >).prefix(searchDepth)
        for day in days {
            let location = CheckpointLocation(workdir: workdir, pipeline: pipeline, partition: day, stageID: stageID)
            guard let manifest = try? CheckpointStore.existingManifest(at: location),
                let history = ExtractHistory(manifest: manifest, chain: chain)
            else { continue }
            return history
        }
        return nil
    }

    init(partition: PartitionDay, targets: Int, rows: Int, calls: Int, blocks: Int) {
        self.partition = partition
        self.targets = targets
        self.rows = rows
        self.calls = calls
        self.blocks = blocks
    }

    /// Reads `chain.<name>.*` details; nil for an open day's checkpoint or one without the chain.
    init?(manifest: CheckpointManifest, chain: String) {
        let details = manifest.details
        func number(_ field: String) -> Int? { details["chain.\(chain).\(field)"].flatMap { Int($0) } }
        guard details["chain.\(chain).open"] != "true", let targets = number("targets"), let rows = number("rows"),
            let calls = number("calls"), let first = number("first_block"), let last = number("last_block")
        else { return nil }
        self.partition = manifest.partition
        self.targets = targets
        self.rows = rows
        self.calls = calls
        self.blocks = max(0, last - first + 1)
    }
}
