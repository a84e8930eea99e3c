import ChainETLCore

/// Blockscout REST v2 token-transfer items (`source: blockscout-v2`).
///
/// ```json
/// {"block_hash":"0x…","block_number":123,"from":{"hash":"0xAbC…",…},"log_index":5,"method":"transfer",
///  "timestamp":"2026-11-20T00:00:12.000000Z","to":{"hash":"0x…",…},
///  "token":{"address_hash":"0x…","decimals":"6","name":"USD Coin","symbol":"USDC","type":"ERC-20",…},
///  "token_type":"ERC-20","total":{"decimals":"6","value":"1000000"},"transaction_hash":"0x…",
///  "type":"token_transfer"}
/// ```
///
/// Address hashes arrive EIP-55 checksummed and are lowercased like every other source (the
/// checksum is not verified: the case carries no data). `value` comes from `total.value`, decimals
/// from `total.decimals`, else `token.decimals`; the token address from `token.address_hash`
/// (Blockscout ≥ 8) or `token.address` (older). Items of another token standard (`token_type`, else
/// `token.type`) are excluded; ERC-721 ones as `erc721_transfer`, like 4-topic logs.
extension RowReader {
    func readBlockscoutV2(into builder: inout TransferRecordBuilder) throws(RowRejection) {
        let token = try object(fields.token, field: "token")
        var tokenAddressHash: JSONSlice?
        var tokenAddress: JSONSlice?
        var tokenSymbol: JSONSlice?
        var tokenName: JSONSlice?
        var tokenDecimals: JSONSlice?
        var tokenStandard: JSONSlice?
        try members(of: token) { key, value in
            if scanner.equals(key, "address_hash") {
                tokenAddressHash = value
            } else if scanner.equals(key, "address") {
                tokenAddress = value
            } else if scanner.equals(key, "symbol") {
                tokenSymbol = value
            } else if scanner.equals(key, "name") {
                tokenName = value
            } else if scanner.equals(key, "decimals") {
                tokenDecimals = value
            } else if scanner.equals(key, "type") {
                tokenStandard = value
            }
        }
        try checkERC20(fields.tokenType.flatMap { $0.kind == .null ? nil : $0 } ?? tokenStandard)

        try readHash(fields.transactionHashV2, field: "transaction_hash", into: &builder.txHash)
        try readAddress(try addressHash(fields.from, field: "from"), field: "from.hash", into: &builder.fromAddress)
        try readAddress(try addressHash(fields.to, field: "to"), field: "to.hash", into: &builder.toAddress)
        if let tokenAddressHash, tokenAddressHash.kind != .null {
            try readAddress(tokenAddressHash, field: "token.address_hash", into: &builder.tokenAddress)
        } else {
            try readAddress(tokenAddress, field: "token.address_hash", into: &builder.tokenAddress)
        }

        let total = try object(fields.total, field: "total")
        var totalValue: JSONSlice?
        var totalDecimals: JSONSlice?
        try members(of: total) { key, value in
            if scanner.equals(key, "value") {
                totalValue = value
            } else if scanner.equals(key, "decimals") {
                totalDecimals = value
            }
        }
        try readDecimalValue(totalValue, field: "total.value", into: &builder.value)

        builder.blockNumber = try readInt(
            fields.blockNumberV2, field: "block_number", malformed: .invalidBlockNumber, negative: .negativeBlockNumber)
        builder.logIndex = try readInt(
            fields.logIndexV2, field: "log_index", malformed: .invalidLogIndex, negative: .invalidLogIndex)
        builder.blockTime = try readISOTime(fields.timestampV2)
        try readBlockHash(fields.blockHashV2, into: &builder.blockHash)
        let decimals = totalDecimals.flatMap { $0.kind == .null ? nil : $0 } ?? tokenDecimals
        builder.tokenDecimals = try readTokenDecimals(decimals)
        builder.hasTokenSymbol = try readText(tokenSymbol, field: "token.symbol", into: &builder.tokenSymbol)
        builder.hasTokenName = try readText(tokenName, field: "token.name", into: &builder.tokenName)
    }

    /// Excludes items whose token standard is named and is not ERC-20.
    private func checkERC20(_ standard: JSONSlice?) throws(RowRejection) {
        guard let standard, standard.kind != .null else { return }
        guard standard.kind == .string else {
            throw .quarantine(.wrongType(field: "token_type", expected: "a token standard string"))
        }
        let text = scanner.rawBytes(standard)
        if text.elementsEqual("ERC-20".utf8) { return }
        throw .exclude(text.elementsEqual("ERC-721".utf8) ? .erc721Transfer : .otherTokenStandard)
    }

    /// `field` as an object (`from`, `to`, `token`, `total`).
    private func object(_ slice: JSONSlice?, field: String) throws(RowRejection) -> JSONSlice {
        guard let slice, slice.kind != .null else { throw .quarantine(.missingField(field)) }
        guard slice.kind == .object else { throw .quarantine(.wrongType(field: field, expected: "an object")) }
        return slice
    }

    /// The `hash` member of an address object (`from`, `to`).
    private func addressHash(_ slice: JSONSlice?, field: String) throws(RowRejection) -> JSONSlice? {
        var hash: JSONSlice?
        try members(of: try object(slice, field: field)) { key, value in
            if scanner.equals(key, "hash") { hash = value }
        }
        guard hash != nil else { throw .quarantine(.missingField(field + ".hash")) }
        return hash
    }

    /// Calls `body` with each member of `object` (already validated by `RawLineWalker`).
    private func members(of object: JSONSlice, _ body: (Range<Int>, JSONSlice) -> Void) throws(RowRejection) {
        do {
            try RawLineWalker(scanner: scanner).forEachMember(of: object, body)
        } catch {
            throw .quarantine(.invalidJSON(detail: String(describing: error)))
        }
    }

    /// `timestamp`: ISO 8601 with a zone (`2026-11-20T00:00:12.000000Z`), floored to the second.
    private func readISOTime(_ slice: JSONSlice?) throws(RowRejection) -> Int {
        guard let slice, slice.kind != .null else { throw .quarantine(.missingField("timestamp")) }
        guard slice.kind == .string else {
            throw .quarantine(.wrongType(field: "timestamp", expected: "an ISO 8601 time string"))
        }
        // EventTimestamp also reads digit strings as epoch seconds; v2 only ever sends ISO text.
        guard !scanner.rawBytes(slice).allSatisfy({ $0 &- UInt8(ascii: "0") < 10 }),
            case .success(let time) = EventTimestamp.parse(slice, in: scanner)
        else {
            throw .quarantine(.invalidTimestamp)
        }
        let micros = time.unixMicroseconds
        return Int(micros >= 0 ? micros / 1_000_000 : -((-micros + 999_999) / 1_000_000))
    }

}
