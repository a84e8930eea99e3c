import ChainETLCore

/// The result-row serializations the simulator serves; raw values match the raw checkpoint's
/// `source` names. Public so benchmarks and stage tests can build raw rows without HTTP.
public enum ExplorerRowFormat: String, Sendable, CaseIterable {
    case etherscanLogs = "etherscan-logs"
    case etherscanTokenTransfers = "etherscan-tokentx"
    case blockscoutLogs = "blockscout-logs"
    case blockscoutTokenTransfers = "blockscout-tokentx"
    case blockscoutV2 = "blockscout-v2"
}

extension SimulatedBlock {
    /// Appends `logs[position]` as one result row, byte for byte as the explorer serves it.
    ///
    /// Returns false (and writes nothing) when the endpoint never lists that log: ERC-721
    /// transfers in tokentx and in Blockscout v2 `type=ERC-20` lists. `head` sets
    /// `confirmations` in tokentx rows.
    @discardableResult
    public func writeExplorerRow(
        _ format: ExplorerRowFormat, logAt position: Int, head: Int, into writer: inout JSONLineWriter
    ) -> Bool {
        let row = TransferScan.Row(block: self, position: position)
        let tokens = SimulatedChain.tokens(chainID: chainID)
        switch format {
        case .etherscanLogs:
            ExplorerRowWriter.etherscanLog(row, into: &writer)
        case .blockscoutLogs:
            ExplorerRowWriter.blockscoutLog(row, into: &writer)
        case .etherscanTokenTransfers:
            guard !row.log.isERC721 else { return false }
            ExplorerRowWriter.etherscanTokenTransfer(row, token: tokens[row.log.tokenIndex], head: head, into: &writer)
        case .blockscoutTokenTransfers:
            guard !row.log.isERC721 else { return false }
            ExplorerRowWriter.blockscoutTokenTransfer(row, token: tokens[row.log.tokenIndex], head: head, into: &writer)
        case .blockscoutV2:
            guard !row.log.isERC721, let chain = SimulatedChain.chain(id: chainID) else { return false }
            ExplorerRowWriter.blockscoutV2TokenTransfer(
                row, token: tokens[row.log.tokenIndex], chain: chain, into: &writer)
        }
        return true
    }
}
