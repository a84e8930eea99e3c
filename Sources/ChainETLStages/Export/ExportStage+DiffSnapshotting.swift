import Foundation

/// The export stage's checkpoint holds no rows (only counts), so a rerun that changed what a
/// summary exports would otherwise diff as "added=0 removed=0 changed=0". Its snapshot is read from
/// the partition's bundle manifest instead: per summary, `rows` and `csv_sha256_48` (the first 48
/// bits of the CSV file's SHA-256, as an integer). Either figure differing means the summary's
/// export changed; the digest's delta has no meaning beyond that. No bundle yet: an empty snapshot.
extension ExportStage: DiffSnapshotting {
    public func diffSnapshot(_ context: StageContext) throws -> [String: String] {
        let url = bundleDirectory(context).appendingPathComponent(ExportManifest.fileName)
        guard let data = try? Data(contentsOf: url),
            let manifest = try? JSONDecoder().decode(ExportManifest.self, from: data)
        else { return [:] }
        var snapshot: [String: String] = [:]
        for summary in manifest.summaries {
            snapshot["\(summary.name)/rows"] = "\(summary.rows)"
            if let file = summary.files.first(where: { $0.format == "csv" }) ?? summary.files.first,
                let digest = UInt64(file.sha256.prefix(12), radix: 16)
            {
                snapshot["\(summary.name)/csv_sha256_48"] = "\(digest)"
            }
        }
        return snapshot
    }
}
