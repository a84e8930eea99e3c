import ChainETLCore

/// Blockscout REST v2 under `/blockscout/<chainid>/api/v2/`: the two token-transfer lists,
/// newest first, 50 items per page, keyset cursors in `next_page_params`.
///
/// - `GET …/v2/addresses/{address}/token-transfers?type=ERC-20&filter=to|from&token=<contract>`
/// - `GET …/v2/tokens/{contract}/transfers`
///
/// Both order by `(block_number, log_index)` descending. A page holds the items strictly below
/// the cursor `block_number` / `index` when both are integers (other cursor keys, such as
/// `items_count`, are ignored, as Blockscout before v12 does); `next_page_params` is
/// `{"block_number":N,"index":LOG_INDEX,"items_count":C}` (C counts the items served so far)
/// or `null` on the last page. Errors are `{"message":…}` with HTTP 404 or 422.
///
/// Simulator limit (documented in docs/simulator.md): one request generates at most
/// `blockscoutV2ScanBudget` blocks. When the budget runs out before a page is full, the page is
/// short (possibly empty) and its cursor points below the last block scanned, so a client that
/// follows cursors until `null` sees every item; a short page is never proof of the end.
extension ExplorerService {
    /// Items per page (Blockscout's default `page_size`).
    static let blockscoutV2PageSize = 50
    /// Blocks one v2 request generates at most (the simulator has no index to seek by account).
    static let blockscoutV2ScanBudget = 20_000

    /// The route's name for stats and fault logs, e.g. `v2/addresses/token-transfers`.
    static func v2RouteName(_ path: String) -> String {
        let parts = path.split(separator: "/").dropFirst(4)
        switch Array(parts) {
        case let route where route.count == 3 && route[0] == "addresses" && route[2] == "token-transfers":
            return "v2/addresses/token-transfers"
        case let route where route.count == 3 && route[0] == "tokens" && route[2] == "transfers":
            return "v2/tokens/transfers"
        default:
            return "v2/unknown"
        }
    }

    func blockscoutV2Answer(_ request: ServerRequest, generator: ChainGenerator, head: Int) -> Answer {
        let route = Array(request.path.split(separator: "/").dropFirst(4)).map(String.init)
        let query = request.query
        var filter = TransferScan.Filter(tokenIndices: nil, includeERC721: true)
        switch Self.v2RouteName(request.path) {
        case "v2/addresses/token-transfers":
            let address = route[1]
            guard Self.isAddress(address) else { return Self.blockscoutV2Message("Invalid parameter(s)", status: 422) }
            if let token = query["token"], !token.isEmpty {
                guard Self.isAddress(token) else {
                    return Self.blockscoutV2Message("Invalid parameter(s)", status: 422)
                }
                if let index = Self.tokenIndex(token, in: generator, erc20Only: false) {
                    filter.tokenIndices = [index]
                } else {
                    filter.matchesNothing = true
                }
            }
            let types = Set((query["type"] ?? "").uppercased().split(separator: ",").map(String.init))
                .intersection(["ERC-20", "ERC-721", "ERC-1155", "ERC-404"])
            if !types.isEmpty {
                filter.includeERC20 = types.contains("ERC-20")
                filter.includeERC721 = types.contains("ERC-721")
            }
            // Unknown addresses (contracts included: tokens never send or receive here) list nothing.
            guard let account = generator.chain.accountIndex(of: address.lowercased()) else {
                return Self.blockscoutV2Page([], next: nil, generator: generator)
            }
            switch query["filter"]?.lowercased() {
            case "to": filter.toAccount = account
            case "from": filter.fromAccount = account
            default: filter.account = account
            }
        case "v2/tokens/transfers":
            let contract = route[1]
            guard Self.isAddress(contract) else { return Self.blockscoutV2Message("Invalid parameter(s)", status: 422) }
            guard let index = Self.tokenIndex(contract, in: generator, erc20Only: false) else {
                return Self.blockscoutV2Message("Not found", status: 404)
            }
            filter.tokenIndices = [index]
        default:
            return Self.blockscoutV2Message("Not found", status: 404)
        }

        let cursor = Self.v2Cursor(query)
        let served = Int(query["items_count"] ?? "") ?? 0
        guard !filter.matchesNothing, head >= 0 else {
            return Self.blockscoutV2Page([], next: nil, generator: generator)
        }
        var number = min(head, cursor?.block ?? head)
        let lowest = max(0, number - Self.blockscoutV2ScanBudget + 1)
        var rows: [TransferScan.Row] = []
        scan: while number >= lowest {
            let block = generator.block(number)
            for position in block.logs.indices.reversed() {
                let log = block.logs[position]
                if let cursor, cursor.block == number, log.logIndex >= cursor.index { continue }
                guard filter.matches(log) else { continue }
                rows.append(TransferScan.Row(block: block, position: position))
                if rows.count > Self.blockscoutV2PageSize { break scan }
            }
            number -= 1
        }
        let next: (block: Int, index: Int, itemsCount: Int)?
        if rows.count > Self.blockscoutV2PageSize {
            rows.removeLast()
            let last = rows[rows.count - 1]
            next = (last.block.number, last.log.logIndex, served + rows.count)
        } else if lowest > 0 {
            // Budget spent: continue strictly below the last block scanned.
            next = (lowest, 0, served + rows.count)
        } else {
            next = nil
        }
        var answer = Self.blockscoutV2Page(rows, next: next, generator: generator)
        answer.rows = rows.count
        return answer
    }

    /// The keyset cursor of a request: `block_number` and `index`, both integers, or nil.
    private static func v2Cursor(_ query: [String: String]) -> (block: Int, index: Int)? {
        guard let block = Int(query["block_number"] ?? ""), let index = Int(query["index"] ?? "") else { return nil }
        return (block, index)
    }

    private static func blockscoutV2Page(
        _ rows: [TransferScan.Row], next: (block: Int, index: Int, itemsCount: Int)?, generator: ChainGenerator
    ) -> Answer {
        var writer = JSONLineWriter(capacity: 64 * 1024)
        writer.beginObject()
        writer.key("items")
        writer.beginArray()
        for row in rows {
            ExplorerRowWriter.blockscoutV2TokenTransfer(
                row, token: generator.tokens[row.log.tokenIndex], chain: generator.chain, into: &writer)
        }
        writer.endArray()
        writer.key("next_page_params")
        if let next {
            writer.beginObject()
            writer.key("block_number")
            writer.int(next.block)
            writer.key("index")
            writer.int(next.index)
            writer.key("items_count")
            writer.int(next.itemsCount)
            writer.endObject()
        } else {
            writer.null()
        }
        writer.endObject()
        return Answer(body: writer.bytes)
    }

    /// `{"message":"<text>"}`: how Blockscout v2 answers errors.
    static func blockscoutV2Message(_ text: String, status: Int) -> Answer {
        var writer = JSONLineWriter()
        writer.beginObject()
        writer.field("message", text)
        writer.endObject()
        return Answer(body: writer.bytes, status: status)
    }
}
