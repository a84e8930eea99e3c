import ChainETLCore
import Foundation

/// Turns explorer HTTP responses into rows, block numbers or classified errors.
///
/// Envelopes handled:
/// - Etherscan `{"status","message","result"}` with the error text in `result` (or `message`);
/// - Blockscout's alphabetical variant, error text in `message` and `result: null`;
/// - the JSON-RPC proxy envelope `{"jsonrpc","result","id"}` (no status) for `eth_blockNumber`;
/// - `getblocknobytime`'s decimal string (Blockscout: an object holding `blockNumber`).
///
/// Parsing is byte-level (`JSONScanner`) so each row is kept exactly as received. An empty result
/// is decided by `result == []`, whatever the status (Routescan sends status "1" with `[]`), unless
/// the message is a recognized error text (Blockscout puts errors in `message`).
public enum ExplorerResponseParser {
    /// The result rows of a `tokentx` or `getLogs` response, in the order received.
    public static func rows(from response: HTTPResponse, request: RedactedURL, secret: String? = nil) throws
        -> [ExplorerRow]
    {
        try checkStatus(response, request: request, secret: secret)
        return try JSONScanner.withScanner(response.body) { scanner in
            let envelope = try Envelope(scanner: scanner, request: request)
            guard let result = envelope.result else {
                throw ExplorerError.malformedResponse("no result member", request: request)
            }
            if result.kind == .array {
                var rows: [ExplorerRow] = []
                try scanner.forEachElement(of: result) { element in
                    rows.append(try row(element, index: rows.count, scanner: scanner, request: request))
                    return true
                }
                if rows.isEmpty, envelope.status == "0",
                    case .failure(let error) = ExplorerErrorText.classify(
                        message: envelope.message, result: nil, request: request, secret: secret),
                    !isUnknown(error)
                {
                    throw error
                }
                return rows
            }
            let resultText = result.kind == .string ? try scanner.string(result) : nil
            if envelope.status == "1" || envelope.isJSONRPC {
                throw ExplorerError.malformedResponse("result is not an array", request: request)
            }
            switch ExplorerErrorText.classify(
                message: envelope.message, result: resultText, request: request, secret: secret)
            {
            case .noData: return []
            case .failure(let error): throw error
            }
        }
    }

    /// The block number of an `eth_blockNumber` (proxy) or `getblocknobytime` response.
    public static func blockNumber(from response: HTTPResponse, request: RedactedURL, secret: String? = nil) throws
        -> Int
    {
        try checkStatus(response, request: request, secret: secret)
        return try JSONScanner.withScanner(response.body) { scanner in
            let envelope = try Envelope(scanner: scanner, request: request)
            if let error = envelope.rpcError {
                let message = try scanner.member("message", of: error).flatMap {
                    $0.kind == .string ? try scanner.string($0) : nil
                }
                throw failure(message: message ?? "json-rpc error", result: nil, request: request, secret: secret)
            }
            guard let result = envelope.result else {
                throw ExplorerError.malformedResponse("no result member", request: request)
            }
            if let number = ExplorerNumberText.integer(result, in: scanner), envelope.status != "0" {
                return number
            }
            if result.kind == .object, envelope.status != "0",
                let nested = try scanner.member("blockNumber", of: result),
                let number = ExplorerNumberText.integer(nested, in: scanner)
            {
                return number
            }
            let resultText = result.kind == .string ? try scanner.string(result) : nil
            if envelope.status == "1" || (envelope.isJSONRPC && envelope.status == nil && resultText == nil) {
                throw ExplorerError.malformedResponse("result is not a block number", request: request)
            }
            throw failure(message: envelope.message, result: resultText, request: request, secret: secret)
        }
    }

    /// One page of a Blockscout REST v2 list (`items` plus the `next_page_params` keyset cursor).
    public static func blockscoutV2Page(from response: HTTPResponse, request: RedactedURL, secret: String? = nil)
        throws -> BlockscoutV2Page
    {
        try checkStatus(response, request: request, secret: secret)
        return try JSONScanner.withScanner(response.body) { scanner in
            let root: JSONSlice
            do { root = try scanner.root() } catch {
                throw ExplorerError.malformedResponse("\(error)", request: request)
            }
            guard root.kind == .object, let items = try scanner.member("items", of: root), items.kind == .array
            else {
                if root.kind == .object, let message = try scanner.member("message", of: root),
                    message.kind == .string
                {
                    throw failure(message: try scanner.string(message), result: nil, request: request, secret: secret)
                }
                throw ExplorerError.malformedResponse("no items array", request: request)
            }
            var rows: [ExplorerRow] = []
            try scanner.forEachElement(of: items) { element in
                rows.append(try row(element, index: rows.count, scanner: scanner, request: request))
                return true
            }
            var next: [QueryParameter]?
            if let cursor = try scanner.member("next_page_params", of: root), cursor.kind == .object {
                var parameters: [QueryParameter] = []
                try scanner.forEachMember(of: cursor) { key, value in
                    let name = String(decoding: UnsafeRawBufferPointer(rebasing: scanner.bytes[key]), as: UTF8.self)
                    switch value.kind {
                    case .string: parameters.append(QueryParameter(name, try scanner.string(value)))
                    case .number, .bool:
                        parameters.append(QueryParameter(name, String(decoding: scanner.rawBytes(value), as: UTF8.self)))
                    case .null: break
                    case .object, .array:
                        throw ExplorerError.malformedResponse("next_page_params.\(name) is not a scalar", request: request)
                    }
                    return true
                }
                next = parameters
            }
            return BlockscoutV2Page(items: rows, nextPageParameters: next)
        }
    }

    // MARK: - Pieces

    /// Fails for HTTP statuses other than 2xx, reading an error text from the body when there is one.
    static func checkStatus(_ response: HTTPResponse, request: RedactedURL, secret: String?) throws {
        guard !(200...299).contains(response.status) else { return }
        let texts = errorTexts(in: response.body)
        if texts.message != nil || texts.result != nil,
            case .failure(let error) = ExplorerErrorText.classify(
                message: texts.message, result: texts.result, request: request, secret: secret),
            !isUnknown(error), error.isRetryable || !(500...599).contains(response.status)
        {
            // A classified text is more precise than the status (Blockscout: 429 + "Too many requests").
            throw error
        }
        // An HTML error page (nginx's 502, a CDN's 429) says nothing the status does not: drop it.
        let text = String(decoding: response.body.prefix(200), as: UTF8.self)
        let looksLikeHTML = text.drop { $0.isWhitespace }.first == "<"
        let snippet = looksLikeHTML ? "" : text.filter { !$0.isNewline }
        throw ExplorerError.httpStatus(
            response.status, detail: RedactedURL.scrub(snippet, secret: secret), request: request)
    }

    private static func failure(message: String?, result: String?, request: RedactedURL, secret: String?)
        -> ExplorerError
    {
        switch ExplorerErrorText.classify(message: message, result: result, request: request, secret: secret) {
        case .failure(let error): return error
        case .noData:
            let text = [message, result].compactMap { $0 }.joined(separator: ": ")
            return .explorerRejected(RedactedURL.scrub(text, secret: secret), request: request)
        }
    }

    private static func isUnknown(_ error: ExplorerError) -> Bool {
        if case .explorerRejected = error { return true }
        return false
    }

    private static func row(_ element: JSONSlice, index: Int, scanner: JSONScanner, request: RedactedURL) throws
        -> ExplorerRow
    {
        guard element.kind == .object else {
            throw ExplorerError.unexpectedRows("result row \(index) is not an object", request: request)
        }
        var blockNumber: Int?
        var logIndex: Int?
        try scanner.forEachMember(of: element) { key, value in
            if scanner.equals(key, "blockNumber") || scanner.equals(key, "block_number") {
                blockNumber = ExplorerNumberText.integer(value, in: scanner).flatMap { $0 >= 0 ? $0 : nil }
            } else if scanner.equals(key, "logIndex") || scanner.equals(key, "log_index") {
                logIndex = ExplorerNumberText.integer(value, in: scanner)
            }
            return true
        }
        let bytes = [UInt8](UnsafeRawBufferPointer(rebasing: scanner.bytes[element.range]))
        // A row without a readable block number is kept (normalize quarantines it), never fatal.
        return ExplorerRow(
            bytes: singleLine(bytes), blockNumber: blockNumber ?? -1, logIndex: logIndex,
            hasReadableBlockNumber: blockNumber != nil)
    }

    /// The row unchanged, unless it spans lines (a pretty-printed body): then the whitespace
    /// between tokens is dropped so the row fits on one NDJSON line. String contents never change.
    static func singleLine(_ bytes: [UInt8]) -> [UInt8] {
        guard bytes.contains(0x0A) || bytes.contains(0x0D) else { return bytes }
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var inString = false
        var escaped = false
        for byte in bytes {
            if inString {
                output.append(byte)
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
                continue
            }
            switch byte {
            case 0x20, 0x0A, 0x0D, 0x09:
                continue
            case UInt8(ascii: "\""):
                inString = true
                output.append(byte)
            default:
                output.append(byte)
            }
        }
        return output
    }

    /// `message` and `result` strings of a body, if it is a JSON object at all.
    private static func errorTexts(in body: [UInt8]) -> (message: String?, result: String?) {
        (try? JSONScanner.withScanner(body) { scanner -> (String?, String?) in
            let root = try scanner.root()
            guard root.kind == .object else { return (nil, nil) }
            func text(_ slice: JSONSlice?) throws -> String? {
                guard let slice, slice.kind == .string else { return nil }
                return try scanner.string(slice)
            }
            return (try text(scanner.member("message", of: root)), try text(scanner.member("result", of: root)))
        }) ?? (nil, nil)
    }
}

/// The top-level members of an explorer envelope.
private struct Envelope {
    var status: String?
    var message: String?
    var result: JSONSlice?
    var rpcError: JSONSlice?
    var isJSONRPC = false

    init(scanner: JSONScanner, request: RedactedURL) throws {
        let root: JSONSlice
        do {
            root = try scanner.root()
        } catch {
            throw ExplorerError.malformedResponse("\(error)", request: request)
        }
        guard root.kind == .object else {
            throw ExplorerError.malformedResponse("body is not a json object", request: request)
        }
        var status: String?
        var message: String?
        var result: JSONSlice?
        var rpcError: JSONSlice?
        var isJSONRPC = false
        try scanner.forEachMember(of: root) { key, value in
            if scanner.equals(key, "status") {
                status = value.kind == .string ? try scanner.string(value) : String(decoding: scanner.rawBytes(value), as: UTF8.self)
            } else if scanner.equals(key, "message") {
                message = value.kind == .string ? try scanner.string(value) : nil
            } else if scanner.equals(key, "result") {
                result = value
            } else if scanner.equals(key, "jsonrpc") {
                isJSONRPC = true
            } else if scanner.equals(key, "error"), value.kind == .object {
                rpcError = value
            }
            return true
        }
        self.status = status
        self.message = message
        self.result = result
        self.rpcError = rpcError
        self.isJSONRPC = isJSONRPC
    }
}
