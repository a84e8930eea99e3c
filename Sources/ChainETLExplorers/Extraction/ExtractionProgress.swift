/// Where an extraction stands, reported after every page (and returned when it finishes).
public struct ExtractionProgress: Equatable, Sendable {
    public var source: ExplorerSourceKind
    /// Printable target (`token 0x…`), never a URL.
    public var target: String
    public var blocksTotal: Int
    public var blocksDone: Int
    /// Pages answered (windows and pages within dense blocks).
    public var windowsDone: Int
    /// Rows handed to the sink.
    public var rows: Int
    /// HTTP calls sent for this extraction, retries included.
    public var calls: Int
    /// Calls still expected at the pace so far (blocks per call); nil before the first page.
    public var estimatedRemainingCalls: Int?

    public init(
        source: ExplorerSourceKind, target: String, blocksTotal: Int, blocksDone: Int = 0, windowsDone: Int = 0,
        rows: Int = 0, calls: Int = 0, estimatedRemainingCalls: Int? = nil
    ) {
        self.source = source
        self.target = target
        self.blocksTotal = blocksTotal
        self.blocksDone = blocksDone
        self.windowsDone = windowsDone
        self.rows = rows
        self.calls = calls
        self.estimatedRemainingCalls = estimatedRemainingCalls
    }

    /// Records a page answered: the calls sent so far and the blocks left, and re-estimates the
    /// calls still needed from the blocks covered per page so far.
    mutating func pageDone(calls: Int, remainingBlocks: Int) {
        self.calls = calls
        blocksDone = blocksTotal - remainingBlocks
        if blocksDone > 0 {
            let blocksPerPage = Double(blocksDone) / Double(max(1, windowsDone))
            estimatedRemainingCalls = Int((Double(remainingBlocks) / blocksPerPage).rounded(.up))
        }
    }
}
