import ChainETLCore

/// Blockscout's Etherscan-compatible RPC API under `/blockscout/<chainid>/api`: alphabetical
/// envelopes, errors in `message` with `result: null`, `sort` desc by default, getLogs capped at
/// 1,000 rows with `page`/`offset` ignored.
extension ExplorerService {
    func blockscoutAnswer(_ query: [String: String], generator: ChainGenerator, head: Int) -> Answer {
        switch (query["module"]?.lowercased() ?? "", query["action"]?.lowercased() ?? "") {
        case ("account", "tokentx"):
            return blockscoutTokenTransfers(query, generator: generator, head: head)
        case ("logs", "getlogs"):
            return blockscoutLogs(query, generator: generator, head: head)
        case ("block", "eth_block_number"), ("proxy", "eth_blocknumber"):
            // Blockscout's EthRPC view writes this envelope by hand, spaces and newline included.
            let hex = HexFormat.quantity(max(head, 0), bareZero: false)
            let id = Int(query["id"] ?? "") ?? 1
            return Answer(body: Array("{\"jsonrpc\":\"2.0\",\"result\": \"\(hex)\",\"id\": \(id)}\n".utf8))
        case ("block", "getblocknobytime"):
            switch Self.blockNumber(byTime: query, chain: generator.chain, head: head) {
            case .invalidTimestamp: return Self.blockscoutError("Invalid `timestamp` param")
            case .none: return Self.blockscoutError("Block does not exist")
            case .block(let number): return Self.blockscoutSuccess { $0.string(String(number)) }
            }
        default:
            return Self.blockscoutError("Unknown action")
        }
    }

    private func blockscoutTokenTransfers(_ query: [String: String], generator: ChainGenerator, head: Int) -> Answer {
        let contract = query["contractaddress"].flatMap { $0.isEmpty ? nil : $0 }
        let address = query["address"].flatMap { $0.isEmpty ? nil : $0 }
        guard contract != nil || address != nil else {
            return Self.blockscoutError("Query parameter address or contractaddress is required")
        }
        if let address, !Self.isAddress(address) { return Self.blockscoutError("Invalid address format") }
        if let contract, !Self.isAddress(contract) { return Self.blockscoutError("Invalid contract address format") }
        guard let start = Self.blockParameter(query["startblock"], head: head, fallback: 0),
            let end = Self.blockParameter(query["endblock"], head: head, fallback: head)
        else { return Self.blockscoutError("Invalid block number") }
        guard
            let paging = Self.paging(
                query, defaultOffset: Self.blockscoutMaximumOffset, maximumOffset: Self.blockscoutMaximumOffset,
                ignoreAboveMaximum: true)
        else { return Self.blockscoutError(Self.windowErrorText) }
        let filter = Self.tokenTransferFilter(contract: contract, address: address, generator: generator)
        let descending = query["sort"]?.lowercased() != "asc"
        let rows = Self.scan(
            generator, start: start, end: min(end, head), descending: descending, filter: filter, paging: paging)
        guard !rows.isEmpty else { return Self.blockscoutError("No token transfers found", emptyList: true) }
        let tokens = generator.tokens
        var answer = Self.blockscoutSuccess { writer in
            writer.beginArray()
            for row in rows {
                ExplorerRowWriter.blockscoutTokenTransfer(
                    row, token: tokens[row.log.tokenIndex], head: head, into: &writer)
            }
            writer.endArray()
        }
        answer.rows = rows.count
        return answer
    }

    private func blockscoutLogs(_ query: [String: String], generator: ChainGenerator, head: Int) -> Answer {
        let missing = ["fromblock": "fromBlock", "toblock": "toBlock"].filter { query[$0.key] == nil }.map(\.value)
            .sorted()
        let hasSubject = ["address", "topic0", "topic1", "topic2", "topic3"].contains { query[$0] != nil }
        if !missing.isEmpty || !hasSubject {
            let names = missing + (hasSubject ? [] : ["address and/or topic{x}"])
            return Self.blockscoutError("Required query parameters missing: " + names.joined(separator: ", "))
        }
        guard let start = Self.blockParameter(query["fromblock"], head: head, fallback: 0) else {
            return Self.blockscoutError("Invalid fromBlock format")
        }
        guard let end = Self.blockParameter(query["toblock"], head: head, fallback: head) else {
            return Self.blockscoutError("Invalid toBlock format")
        }
        let filter: TransferScan.Filter
        switch Self.logFilter(query, generator: generator) {
        case .invalidAddress: return Self.blockscoutError("Invalid address format")
        case .filter(let built): filter = built
        }
        let rows = Self.scan(
            generator, start: start, end: min(end, head), descending: false, filter: filter,
            paging: Paging(skip: 0, limit: Self.etherscanMaximumOffset))
        guard !rows.isEmpty else { return Self.blockscoutError("No logs found", emptyList: true) }
        var answer = Self.blockscoutSuccess { writer in
            writer.beginArray()
            for row in rows { ExplorerRowWriter.blockscoutLog(row, into: &writer) }
            writer.endArray()
        }
        answer.rows = rows.count
        return answer
    }

    static func blockscoutSuccess(_ result: (inout JSONLineWriter) -> Void) -> Answer {
        var writer = JSONLineWriter(capacity: 64 * 1024)
        writer.beginObject()
        writer.field("message", "OK")
        writer.key("result")
        result(&writer)
        writer.field("status", "1")
        writer.endObject()
        return Answer(body: writer.bytes)
    }
}
