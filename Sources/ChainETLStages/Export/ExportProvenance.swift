import ChainETLCore
import ChainETLPostgres
import Foundation

/// Where a bundle's data came from and how fresh it is, for its manifest.
enum ExportProvenance {
    /// Per chain: transfers loaded for the partition and the latest block among them.
    static let asOfSQL = """
        SELECT chain_id, count(*), max(block_number), max(block_time)
        FROM transfers
        WHERE block_time >= $1 AND block_time < $2
        GROUP BY chain_id
        ORDER BY chain_id
        """

    /// One entry per configured chain (sorted by name), plus any chain found in `transfers` that
    /// the pipeline does not configure (named `chain-<id>`). Runs in the export's UTC session.
    static func chains(_ specs: [ChainSpec], partition: PartitionDay, connection: PostgresConnection)
        throws(ExportError)
        -> [ExportManifest.Chain]
    {
        var loaded: [Int: (transfers: Int, block: Int?, time: String?)] = [:]
        do {
            let rows = try connection.execute(SQLQuery(asOfSQL, [partition.start, partition.end]))
            for row in 0..<rows.count {
                guard let chainID = try rows.int(row: row, column: 0) else { continue }
                let time = rows.value(row: row, column: 3).flatMap { ExportValueFormatter.isoTimestamp($0, utc: true) }
                loaded[chainID] = (try rows.int(row: row, column: 1) ?? 0, try rows.int(row: row, column: 2), time)
            }
        } catch {
            throw .provenanceFailed(underlying: error)
        }
        var chains = specs.sorted { $0.name < $1.name }.map { spec in
            let facts = loaded.removeValue(forKey: spec.chainID)
            return ExportManifest.Chain(
                name: spec.name, chainID: spec.chainID, explorer: spec.explorer.rawValue,
                source: sanitizedSource(spec.baseURL), asOfBlock: facts?.block, asOfTime: facts?.time,
                transfers: facts?.transfers ?? 0)
        }
        for chainID in loaded.keys.sorted() {
            let facts = loaded[chainID]!
            chains.append(
                ExportManifest.Chain(
                    name: "chain-\(chainID)", chainID: chainID, explorer: "unknown", source: "",
                    asOfBlock: facts.block, asOfTime: facts.time, transfers: facts.transfers))
        }
        return chains
    }

    /// `closed_day` once the partition's last second has passed, else `live_delta`.
    static func freshness(partition: PartitionDay, now: Date) -> ExportManifest.Freshness {
        if partition.end <= now {
            return ExportManifest.Freshness(
                kind: "closed_day",
                statement: "Closed UTC day \(partition): complete through each chain's as_of_block; "
                    + "a re-export gives the same data unless the partition is reloaded.")
        }
        return ExportManifest.Freshness(
            kind: "live_delta",
            statement: "Live delta of the open UTC day \(partition) as of \(UTCTimestamp.iso8601(now)): partial, through "
                + "each chain's as_of_block; re-export after the day closes for final numbers.")
    }

    /// The explorer's base URL without user info, query or fragment (an API key may hide there).
    static func sanitizedSource(_ baseURL: String) -> String {
        guard var components = URLComponents(string: baseURL), components.scheme != nil else { return "" }
        components.user = nil
        components.password = nil
        components.query = nil
        components.fragment = nil
        return components.string ?? ""
    }
}
