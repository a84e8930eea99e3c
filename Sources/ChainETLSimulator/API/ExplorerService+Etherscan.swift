import ChainETLCore

/// Etherscan V2 endpoints: `logs/getLogs`, `account/tokentx`, `proxy/eth_blockNumber`,
/// `block/getblocknobytime`, with Etherscan's envelopes (`status`, `message`, `result`).
extension ExplorerService {
    func etherscanAnswer(_ query: [String: String], generator: ChainGenerator, head: Int) -> Answer {
        let module = query["module"]?.lowercased() ?? ""
        switch (module, query["action"]?.lowercased() ?? "") {
        case ("logs", "getlogs"):
            return etherscanLogs(query, generator: generator, head: head)
        case ("account", "tokentx"):
            return etherscanTokenTransfers(query, generator: generator, head: head)
        case ("proxy", "eth_blocknumber"):
            let hex = HexFormat.quantity(max(head, 0), bareZero: false)
            return Answer(body: Array(#"{"jsonrpc":"2.0","result":"\#(hex)","id":83}"#.utf8))
        case ("block", "getblocknobytime"):
            switch Self.blockNumber(byTime: query, chain: generator.chain, head: head) {
            case .invalidTimestamp: return Self.etherscanError("Error! Invalid timestamp")
            case .none: return Self.etherscanError("Error! No closest block found")
            case .block(let number): return Self.etherscanSuccess { $0.string(String(number)) }
            }
        default:
            let known = ["logs", "account", "proxy", "block"].contains(module)
            return Self.etherscanError(
                known ? "Error! Missing Or invalid Action name" : "Error! Missing Or invalid Module name")
        }
    }

    /// The ERC-20 transfers a `tokentx` query selects: by contract and/or account; an unknown
    /// contract or account matches nothing (as the real explorers answer an empty list).
    static func tokenTransferFilter(contract: String?, address: String?, generator: ChainGenerator)
        -> TransferScan.Filter
    {
        var filter = TransferScan.Filter(tokenIndices: nil, includeERC721: false)
        if let contract {
            if let index = Self.tokenIndex(contract, in: generator, erc20Only: true) {
                filter.tokenIndices = [index]
            } else {
                filter.matchesNothing = true
            }
        }
        if let address {
            if let account = generator.chain.accountIndex(of: address.lowercased()) {
                filter.account = account
            } else {
                filter.matchesNothing = true
            }
        }
        return filter
    }

    private func etherscanTokenTransfers(_ query: [String: String], generator: ChainGenerator, head: Int) -> Answer {
        let contract = query["contractaddress"].flatMap { $0.isEmpty ? nil : $0 }
        let address = query["address"].flatMap { $0.isEmpty ? nil : $0 }
        guard contract != nil || address != nil else { return Self.etherscanError("Error! Missing Or invalid Address") }
        for candidate in [contract, address].compactMap({ $0 }) where !Self.isAddress(candidate) {
            return Self.etherscanError("Error! Invalid address format")
        }
        guard let start = Self.blockParameter(query["startblock"], head: head, fallback: 0),
            let end = Self.blockParameter(query["endblock"], head: head, fallback: 99_999_999)
        else { return Self.etherscanError("Error! Invalid block number") }
        guard
            let paging = Self.paging(
                query, defaultOffset: Self.resultWindow, maximumOffset: Self.etherscanMaximumOffset,
                ignoreAboveMaximum: false)
        else { return Self.etherscanError(Self.windowErrorText) }
        let filter = Self.tokenTransferFilter(contract: contract, address: address, generator: generator)
        let descending = query["sort"]?.lowercased() == "desc"
        let rows = Self.scan(
            generator, start: start, end: min(end, head), descending: descending, filter: filter, paging: paging)
        guard !rows.isEmpty else { return Self.etherscanEmpty("No transactions found") }
        let tokens = generator.tokens
        var answer = Self.etherscanSuccess { writer in
            writer.beginArray()
            for row in rows {
                ExplorerRowWriter.etherscanTokenTransfer(
                    row, token: tokens[row.log.tokenIndex], head: head, into: &writer)
            }
            writer.endArray()
        }
        answer.rows = rows.count
        return answer
    }

    private func etherscanLogs(_ query: [String: String], generator: ChainGenerator, head: Int) -> Answer {
        guard let start = Self.blockParameter(query["fromblock"], head: head, fallback: 0),
            let end = Self.blockParameter(query["toblock"], head: head, fallback: head)
        else { return Self.etherscanError("Error! Invalid fromBlock or toBlock") }
        guard
            let paging = Self.paging(
                query, defaultOffset: Self.etherscanMaximumOffset, maximumOffset: Self.etherscanMaximumOffset,
                ignoreAboveMaximum: false)
        else { return Self.etherscanError(Self.windowErrorText) }
        var filter: TransferScan.Filter
        switch Self.logFilter(query, generator: generator) {
        case .invalidAddress: return Self.etherscanError("Error! Invalid address format")
        case .filter(let built): filter = built
        }
        filter.includeERC721 = true
        let rows = Self.scan(
            generator, start: start, end: min(end, head), descending: false, filter: filter, paging: paging)
        guard !rows.isEmpty else { return Self.etherscanEmpty("No records found") }
        var answer = Self.etherscanSuccess { writer in
            writer.beginArray()
            for row in rows { ExplorerRowWriter.etherscanLog(row, into: &writer) }
            writer.endArray()
        }
        answer.rows = rows.count
        return answer
    }

    // MARK: shared by both flavours

    static func scan(
        _ generator: ChainGenerator, start: Int, end: Int, descending: Bool, filter: TransferScan.Filter, paging: Paging
    ) -> [TransferScan.Row] {
        guard start <= end, end >= 0 else { return [] }
        return TransferScan.collect(
            generator, range: start...end, descending: descending, filter: filter, skip: paging.skip,
            limit: paging.limit)
    }

    enum LogFilterOutcome {
        case filter(TransferScan.Filter)
        case invalidAddress
    }

    /// `address` and `topic0…topic3` as AND-ed equality filters (getLogs on both explorers).
    static func logFilter(_ query: [String: String], generator: ChainGenerator) -> LogFilterOutcome {
        var filter = TransferScan.Filter(tokenIndices: nil, includeERC721: true)
        if let address = query["address"], !address.isEmpty {
            guard isAddress(address) else { return .invalidAddress }
            if let index = tokenIndex(address, in: generator, erc20Only: false) {
                filter.tokenIndices = [index]
            } else {
                filter.matchesNothing = true
            }
        }
        if let topic0 = query["topic0"], !topic0.isEmpty, topic0.lowercased() != ExplorerRowWriter.transferTopic {
            filter.matchesNothing = true
        }
        for (name, isSender) in [("topic1", true), ("topic2", false)] {
            guard let topic = query[name], !topic.isEmpty else { continue }
            let lowered = topic.lowercased()
            guard lowered.count == 66, lowered.hasPrefix("0x000000000000000000000000"),
                let account = generator.chain.accountIndex(of: "0x" + lowered.suffix(40))
            else {
                filter.matchesNothing = true
                continue
            }
            if isSender { filter.fromAccount = account } else { filter.toAccount = account }
        }
        if let topic3 = query["topic3"], !topic3.isEmpty {
            if let value = UInt256(hex: topic3), value.words.1 == 0, value.words.2 == 0, value.words.3 == 0 {
                filter.tokenID = value.words.0
            } else {
                filter.matchesNothing = true
            }
        }
        return .filter(filter)
    }

    enum BlockByTime {
        case block(Int)
        case none
        case invalidTimestamp
    }

    /// `getblocknobytime`: the last block at or before (`closest=before`, the default) or the
    /// first block at or after (`closest=after`) `timestamp`, among blocks already indexed.
    static func blockNumber(byTime query: [String: String], chain: SimulatedChain, head: Int) -> BlockByTime {
        guard let timestamp = Int(query["timestamp"] ?? ""), timestamp >= 0 else { return .invalidTimestamp }
        if query["closest"]?.lowercased() == "after" {
            let number = chain.firstBlock(atOrAfter: timestamp)
            return number <= head ? .block(number) : .none
        }
        guard let number = chain.lastBlock(atOrBefore: timestamp), head >= 0 else { return .none }
        return .block(min(number, head))
    }

    static func etherscanSuccess(_ result: (inout JSONLineWriter) -> Void) -> Answer {
        var writer = JSONLineWriter(capacity: 64 * 1024)
        writer.beginObject()
        writer.field("status", "1")
        writer.field("message", "OK")
        writer.key("result")
        result(&writer)
        writer.endObject()
        return Answer(body: writer.bytes)
    }

    static func etherscanEmpty(_ message: String) -> Answer {
        var writer = JSONLineWriter()
        writer.beginObject()
        writer.field("status", "0")
        writer.field("message", message)
        writer.key("result")
        writer.beginArray()
        writer.endArray()
        writer.endObject()
        return Answer(body: writer.bytes)
    }
}
