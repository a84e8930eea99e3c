import ChainETLCore
import Foundation

/// One explorer result row with the request it came from: a line of the raw checkpoint
/// (`raw-explorer-row/1`, see docs/architecture.md).
public struct RawExplorerRow: Sendable {
    public var source: ExplorerSourceKind
    /// `logs/getLogs` or `account/tokentx`.
    public var endpoint: String
    public var contract: String?
    public var address: String?
    public var fromBlock: Int
    public var toBlock: Int
    public var page: Int
    public var offset: Int
    /// When the page was fetched, ISO-8601 UTC to the second (`2026-11-21T03:00:00Z`).
    public var fetchedAt: String
    /// The row, verbatim, with its decoded block number and log index.
    public var row: ExplorerRow

    public init(
        source: ExplorerSourceKind, endpoint: String, contract: String?, address: String?, fromBlock: Int,
        toBlock: Int, page: Int, offset: Int, fetchedAt: String, row: ExplorerRow
    ) {
        self.source = source
        self.endpoint = endpoint
        self.contract = contract
        self.address = address
        self.fromBlock = fromBlock
        self.toBlock = toBlock
        self.page = page
        self.offset = offset
        self.fetchedAt = fetchedAt
        self.row = row
    }

    /// Appends the checkpoint line, newline included:
    /// `{"source":…,"chain_id":…,"request":{"endpoint":…,"contract":…,"address":…,"from_block":…,
    /// "to_block":…,"page":…,"offset":…,"fetched_at":…},"row":{…verbatim…}}`.
    /// `contract` and `address` appear only when set. The line never holds a URL or key.
    public func writeLine(into writer: inout JSONLineWriter, chainID: Int) {
        writer.beginObject()
        writer.key("source")
        writer.string(source.rawValue)
        writer.key("chain_id")
        writer.int(chainID)
        writer.key("request")
        writer.beginObject()
        writer.key("endpoint")
        writer.string(endpoint)
        if let contract {
            writer.key("contract")
            writer.string(contract)
        }
        if let address {
            writer.key("address")
            writer.string(address)
        }
        writer.key("from_block")
        writer.int(fromBlock)
        writer.key("to_block")
        writer.int(toBlock)
        writer.key("page")
        writer.int(page)
        writer.key("offset")
        writer.int(offset)
        writer.key("fetched_at")
        writer.string(fetchedAt)
        writer.endObject()
        writer.key("row")
        row.bytes.withUnsafeBytes { writer.raw($0) }
        writer.endObject()
        writer.newline()
    }
}
