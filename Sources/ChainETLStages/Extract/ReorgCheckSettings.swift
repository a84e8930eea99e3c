import ChainETLCore

/// The reorg check's `with:` keys, shared by the explorer extract kinds (SPEC §5 "Reorgs").
///
/// ```yaml
/// with:
///   reorg_check: true          # default true: re-read the previous day's last blocks after each day
///   reorg_window_blocks: 64    # default max(64, 2 × the chain's confirmations)
/// ```
struct ReorgCheckSettings: Sendable, Equatable {
    /// The smallest default window: 64 blocks is about 13 minutes on Ethereum, several times the
    /// depth of any reorg seen there since the merge; chains with more confirmations get twice those.
    static let minimumDefaultWindow = 64
    /// The largest window accepted: re-reading more than this per day is a backfill, not a check.
    static let maximumWindow = 10_000

    var enabled: Bool
    /// Blocks re-read at the end of the previous day; nil means the chain's default.
    var windowBlocks: Int?

    static var parameters: [StageParameter] {
        [
            StageParameter(
                name: "reorg_check", type: .boolean,
                description: "re-read the previous day's last confirmed blocks and mark it for reload when a "
                    + "block hash changed (default true)"),
            StageParameter(
                name: "reorg_window_blocks", type: .integer,
                description: "blocks re-read at the end of the previous day, 1…\(maximumWindow) "
                    + "(default max(\(minimumDefaultWindow), 2 × confirmations))"),
        ]
    }

    init(enabled: Bool = true, windowBlocks: Int? = nil) {
        self.enabled = enabled
        self.windowBlocks = windowBlocks
    }

    init(spec: StageSpec) throws {
        let parameters = spec.parameters
        enabled = try parameters.boolean("reorg_check") ?? true
        windowBlocks = try parameters.integer("reorg_window_blocks")
        if let windowBlocks, !(1...Self.maximumWindow).contains(windowBlocks) {
            throw ConfigDiagnostic(
                location: parameters.node("reorg_window_blocks")?.location ?? spec.location,
                message: "reorg_window_blocks must be between 1 and \(Self.maximumWindow), got \(windowBlocks)",
                hint: "leave it out to re-read max(\(Self.minimumDefaultWindow), 2 × confirmations) blocks, "
                    + "or write reorg_check: false to turn the check off")
        }
    }

    /// The blocks re-read on `chain`.
    func window(for chain: ChainSpec) -> Int {
        windowBlocks ?? max(Self.minimumDefaultWindow, 2 * max(0, chain.confirmations))
    }
}
