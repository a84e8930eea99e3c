import ChainETLCore
import ChainETLSimulator
import Foundation

/// Canonical transfer lines (`transfer/1`, docs/architecture.md) from the simulator's generator.
///
/// Walks chain 1's blocks from 00:00 UTC of `day`, turning every ERC-20 Transfer log into the
/// record normalize writes: real `transfer_id`s with `occurrence` counted per transaction, Zipf
/// accounts, the simulator's token set (including a symbol that needs JSON escaping and a token
/// without decimals). The generator's daily rate is set so `rows` fit in about one day.
struct TransferLineGenerator {
    let seed: UInt64

    /// Writes exactly `rows` lines to `url` (replacing it) and returns the file's size.
    func write(rows: Int, to url: URL, day: PartitionDay = PartitionDay("2026-11-20")!) throws -> GeneratedFile {
        guard FileManager.default.createFile(atPath: url.path, contents: Data()),
            let handle = FileHandle(forWritingAtPath: url.path)
        else { throw BenchError.usage("cannot create \(url.path)") }
        defer { try? handle.close() }
        let chain = SimulatedChain.chain(id: 1)!
        let tokens = chain.tokens
        let erc20Count = max(1, tokens.filter(\.isERC20).count)
        let perToken = Int((Double(rows) / Double(erc20Count) * 1.05).rounded(.up))
        let generator = ChainGenerator(
            chain: chain, configuration: GeneratorConfiguration(seed: seed, transfersPerDay: max(1, perToken)))

        var buffer: [UInt8] = []
        buffer.reserveCapacity(2 << 20)
        var writer = JSONLineWriter(capacity: 1024)
        var written = 0
        var total = 0
        var blockNumber = chain.blocks(on: day)!.lowerBound
        while written < rows {
            let block = generator.block(blockNumber)
            blockNumber += 1
            let blockTime = Self.isoTime(block.timestamp)
            var occurrences: [String: Int] = [:]
            for log in block.logs where !log.isERC721 {
                guard written < rows else { break }
                let transaction = block.transaction(of: log)
                let value = log.value.description
                let tuple = "\(transaction.hash)|\(log.tokenAddress)|\(log.fromAddress)|\(log.toAddress)|\(value)"
                let occurrence = occurrences[tuple, default: 0]
                occurrences[tuple] = occurrence + 1
                let identity = TransferIdentity(
                    chainID: chain.chainID, txHash: transaction.hash, tokenAddress: log.tokenAddress,
                    fromAddress: log.fromAddress, toAddress: log.toAddress, value: value, occurrence: occurrence)
                let token = tokens[log.tokenIndex]

                writer.reset()
                writer.beginObject()
                writer.key("transfer_id")
                writer.string(identity.transferID)
                writer.key("chain_id")
                writer.int(chain.chainID)
                writer.key("block_number")
                writer.int(block.number)
                writer.key("block_time")
                writer.string(blockTime)
                writer.key("block_hash")
                writer.string(block.hash)
                writer.key("tx_hash")
                writer.string(transaction.hash)
                writer.key("log_index")
                writer.int(log.logIndex)
                writer.key("occurrence")
                writer.int(occurrence)
                writer.key("token_address")
                writer.string(log.tokenAddress)
                writer.key("from_address")
                writer.string(log.fromAddress)
                writer.key("to_address")
                writer.string(log.toAddress)
                writer.key("value")
                writer.string(value)
                writer.key("token_symbol")
                writer.string(token.symbol)
                writer.key("token_name")
                writer.string(token.name)
                writer.key("token_decimals")
                if let decimals = token.decimalsValue { writer.int(decimals) } else { writer.null() }
                writer.key("source")
                writer.string("etherscan-logs")
                writer.endObject()
                writer.newline()
                buffer.append(contentsOf: writer.bytes)
                written += 1
            }
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

    /// `2026-11-20T00:00:12Z`.
    private static func isoTime(_ unixSeconds: Int) -> String {
        let day = PartitionDay(daysSinceEpoch: unixSeconds / 86_400)
        let ofDay = unixSeconds % 86_400
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(day)T\(two(ofDay / 3600)):\(two(ofDay / 60 % 60)):\(two(ofDay % 60))Z"
    }
}
