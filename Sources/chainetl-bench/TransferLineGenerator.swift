import ChainETLCore
import Foundation

/// Deterministic, realistic canonical transfer lines (`transfer/1`, docs/architecture.md) for benches.
///
/// One UTC day of a busy chain: blocks every 12 s in ascending order, several transfers per
/// transaction, a few popular tokens, skewed account activity, values of realistic magnitude, and
/// both explorer sources (tokentx rows lack `log_index` and `block_hash`). Real `transfer_id`s.
/// The simulator's generator can replace it once it exists; the record format is the same.
struct TransferLineGenerator {
    private struct Token {
        let address: String
        let symbol: String
        let name: String
        let decimals: Int
        let weight: Double
    }

    private static let tokens: [Token] = [
        Token(address: "0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48", symbol: "USDC", name: "USD Coin", decimals: 6, weight: 0.30),
        Token(address: "0xdac17f958d2ee523a2206206994597c13d831ec7", symbol: "USDT", name: "Tether USD", decimals: 6, weight: 0.30),
        Token(address: "0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2", symbol: "WETH", name: "Wrapped Ether", decimals: 18, weight: 0.15),
        Token(address: "0x6b175474e89094c44da98b954eedeac495271d0f", symbol: "DAI", name: "Dai Stablecoin", decimals: 18, weight: 0.10),
        Token(address: "0x514910771af9ca656af840dff83e8264ecf986ca", symbol: "LINK", name: "ChainLink Token", decimals: 18, weight: 0.05),
        Token(address: "0x1f9840a85d5af5bf1d1762f925bdaddc4201f984", symbol: "UNI", name: "Uniswap", decimals: 18, weight: 0.04),
        Token(address: "0x95ad61b0a150d79219dcf64e1e6cc01f0b64c4ce", symbol: "SHIB", name: "SHIBA INU", decimals: 18, weight: 0.03),
        Token(address: "0x6982508145454ce325ddb47ee25e927a0c8f2fa6", symbol: "PEPE", name: "Pepe", decimals: 18, weight: 0.03),
    ]

    private var random: SplitMix64
    private let accounts: [String]

    init(seed: UInt64, accountCount: Int = 50_000) {
        var random = SplitMix64(seed: seed)
        accounts = (0..<accountCount).map { _ in Self.hex(&random, bytes: 20) }
        self.random = random
    }

    /// Writes `rows` lines to `url` (replacing it) and returns the file's size.
    mutating func write(rows: Int, to url: URL, day: PartitionDay = PartitionDay("2026-11-20")!) throws -> GeneratedFile {
        guard FileManager.default.createFile(atPath: url.path, contents: Data()),
            let handle = FileHandle(forWritingAtPath: url.path)
        else { throw BenchError.usage("cannot create \(url.path)") }
        defer { try? handle.close() }
        let firstBlock = 21_000_000
        let blocksPerDay = 7_200
        var buffer: [UInt8] = []
        buffer.reserveCapacity(2 << 20)
        var writer = JSONLineWriter(capacity: 1024)
        var total = 0
        var block = -1
        var blockHash = ""
        var blockTime = ""
        var logIndex = 0
        var txHash = Self.hex(&random, bytes: 32)
        for row in 0..<rows {
            let rowBlock = firstBlock + Int((Double(row) / Double(max(rows, 1))) * Double(blocksPerDay))
            if rowBlock != block {
                block = rowBlock
                blockHash = Self.hex(&random, bytes: 32)
                blockTime = Self.isoTime(day.startUnixSeconds + (block - firstBlock) * 12)
                logIndex = Int(random.next() % 20)
                txHash = Self.hex(&random, bytes: 32)
            } else if random.unit() < 0.6 {
                txHash = Self.hex(&random, bytes: 32)
            }
            logIndex += 1 + Int(random.next() % 3)
            let token = pickToken()
            let from = pickAccount()
            let to = pickAccount()
            let value = randomValue(decimals: token.decimals)
            let fromLogs = random.unit() < 0.85
            let identity = TransferIdentity(
                chainID: 1, txHash: txHash, tokenAddress: token.address, fromAddress: from, toAddress: to,
                value: value, occurrence: 0)

            writer.reset()
            writer.beginObject()
            writer.key("transfer_id")
            writer.string(identity.transferID)
            writer.key("chain_id")
            writer.int(1)
            writer.key("block_number")
            writer.int(block)
            writer.key("block_time")
            writer.string(blockTime)
            writer.key("block_hash")
            if fromLogs { writer.string(blockHash) } else { writer.null() }
            writer.key("tx_hash")
            writer.string(txHash)
            writer.key("log_index")
            if fromLogs { writer.int(logIndex) } else { writer.null() }
            writer.key("occurrence")
            writer.int(0)
            writer.key("token_address")
            writer.string(token.address)
            writer.key("from_address")
            writer.string(from)
            writer.key("to_address")
            writer.string(to)
            writer.key("value")
            writer.string(value)
            writer.key("token_symbol")
            writer.string(token.symbol)
            writer.key("token_name")
            writer.string(token.name)
            writer.key("token_decimals")
            writer.int(token.decimals)
            writer.key("source")
            writer.string(fromLogs ? "etherscan-logs" : "etherscan-tokentx")
            writer.endObject()
            writer.newline()
            buffer.append(contentsOf: writer.bytes)
            if buffer.count >= 1 << 20 {
                try handle.write(contentsOf: buffer)
                total += buffer.count
                buffer.removeAll(keepingCapacity: true)
            }
        }
        try handle.write(contentsOf: buffer)
        total += buffer.count
        return GeneratedFile(url: url, rows: rows, bytes: total)
    }

    private mutating func pickToken() -> Token {
        var draw = random.unit()
        for token in Self.tokens {
            draw -= token.weight
            if draw < 0 { return token }
        }
        return Self.tokens[0]
    }

    /// Skewed: a few accounts (exchanges, routers) appear in most transfers.
    private mutating func pickAccount() -> String {
        let draw = random.unit()
        return accounts[min(accounts.count - 1, Int(Double(accounts.count) * draw * draw * draw))]
    }

    /// A decimal amount between 10^(decimals-3) and 10^(decimals+6), no leading zeros.
    private mutating func randomValue(decimals: Int) -> String {
        let digits = max(1, decimals - 2 + Int(random.next() % 9))
        var text = String(UnicodeScalar(UInt8(ascii: "1") + UInt8(random.next() % 9)))
        for _ in 1..<digits { text.append(Character(UnicodeScalar(UInt8(ascii: "0") + UInt8(random.next() % 10)))) }
        return text
    }

    private static func hex(_ random: inout SplitMix64, bytes: Int) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = [UInt8(ascii: "0"), UInt8(ascii: "x")]
        for _ in 0..<bytes {
            let byte = UInt8(truncatingIfNeeded: random.next())
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    private static func isoTime(_ unixSeconds: Int) -> String {
        let day = PartitionDay(daysSinceEpoch: unixSeconds / 86_400)
        let ofDay = unixSeconds % 86_400
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(day)T\(two(ofDay / 3600)):\(two(ofDay / 60 % 60)):\(two(ofDay % 60))Z"
    }
}

/// A small, fast, seedable generator (Steele et al.), so bench data is identical on every run.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }

    /// A uniform double in [0, 1).
    mutating func unit() -> Double {
        Double(next() >> 11) / Double(1 << 53)
    }
}
