/// Walks a Blockscout REST v2 keyset-paged list (newest first) over the blocks `[startBlock, endBlock]`.
///
/// A pure state machine: the caller sends each `fetch`, hands the page back with `pageArrived`,
/// and keeps the items the outcome names. REST v2 takes no block range, so:
/// - the first request seeks with the cursor `block_number = endBlock + 1, index = 0` (Blockscout's
///   keyset reads "strictly below (block_number, index)"); a server that ignores it simply answers
///   from its newest item, and items above `endBlock` are dropped;
/// - every later request sends the previous page's `next_page_params` back verbatim;
/// - the walk ends at the first item below `startBlock`, at `next_page_params: null`, or when the
///   cursor's own `block_number` is below `startBlock` (nothing older can be in range).
///
/// Items must come in strictly descending `(block_number, log_index)` order across the whole walk
/// (Blockscout's `ORDER BY block_number DESC, log_index DESC`): anything else, a missing
/// `log_index`, or a cursor that does not change, fails the walk instead of looping or skipping.
/// A short or empty page with a cursor is followed: it is never taken as the end.
public struct KeysetWalker: Sendable {
    /// What the caller does next.
    public enum Action: Equatable, Sendable {
        /// Request the next page with `cursor` as extra query parameters (nil: the list's newest page).
        case fetch(cursor: [QueryParameter]?)
        case finished
        /// The server broke the keyset contract; the reason says how.
        case failed(String)
    }

    /// What to do with one page.
    public struct Outcome: Equatable, Sendable {
        /// Positions in the page of the items inside `[startBlock, endBlock]` (a contiguous run,
        /// since items descend).
        public var kept: Range<Int>
        public var next: Action
    }

    public let startBlock: Int
    public let endBlock: Int
    /// Whether the first request seeks below `endBlock + 1` rather than reading the newest page.
    public let seeksFirstPage: Bool
    /// Pages received so far.
    public private(set) var pages = 0
    /// Blocks of the range not yet known to be read: `[startBlock, reached)` remains.
    public var remainingBlocks: Int { max(0, min(reached, endBlock + 1) - startBlock) }

    /// The last item seen, to check the order across pages.
    private var lastBlock = Int.max
    private var lastLogIndex = Int.max
    private var lastCursor: [QueryParameter]?
    /// Every item at or above this block has been read.
    private var reached: Int

    public init(startBlock: Int, endBlock: Int, seeksFirstPage: Bool = true) {
        self.startBlock = startBlock
        self.endBlock = endBlock
        self.seeksFirstPage = seeksFirstPage
        reached = endBlock + 1
    }

    /// The cursor asking for items strictly below block `block` (all of its logs excluded).
    public static func seekCursor(below block: Int) -> [QueryParameter] {
        [QueryParameter("block_number", String(block)), QueryParameter("index", "0")]
    }

    /// The first action: nothing to do for an empty range, else the first page.
    public mutating func start() -> Action {
        guard startBlock <= endBlock else { return .finished }
        let cursor = seeksFirstPage ? Self.seekCursor(below: endBlock + 1) : nil
        lastCursor = cursor
        return .fetch(cursor: cursor)
    }

    /// Takes one page: `items` as received and its `next_page_params` (nil on the last page).
    public mutating func pageArrived(items: [ExplorerRow], next: [QueryParameter]?) -> Outcome {
        pages += 1
        var first: Int?
        var end = 0
        for (position, item) in items.enumerated() {
            guard item.hasReadableBlockNumber else {
                // Kept out of the order and window checks; written with the kept items around it
                // (normalize quarantines it).
                if first != nil { end = position + 1 }
                continue
            }
            guard let logIndex = item.logIndex else {
                return Outcome(
                    kept: 0..<0,
                    next: .failed("page \(pages) item \(position) (block \(item.blockNumber)) has no log_index"))
            }
            guard item.blockNumber < lastBlock || (item.blockNumber == lastBlock && logIndex < lastLogIndex) else {
                return Outcome(
                    kept: 0..<0,
                    next: .failed(
                        "page \(pages) item \(position) (block \(item.blockNumber), log index \(logIndex)) does not "
                            + "come after block \(lastBlock == .max ? "none" : String(lastBlock)), log index "
                            + "\(lastLogIndex == .max ? "none" : String(lastLogIndex)) in descending order"))
            }
            lastBlock = item.blockNumber
            lastLogIndex = logIndex
            if item.blockNumber > endBlock { continue }
            if item.blockNumber < startBlock {
                reached = startBlock
                return Outcome(kept: first.map { $0..<end } ?? 0..<0, next: .finished)
            }
            if first == nil { first = position }
            end = position + 1
            // The items of this block may continue on the next page; the blocks above are read.
            reached = min(reached, item.blockNumber + 1)
        }
        let kept = first.map { $0..<end } ?? 0..<0
        guard let next else {
            reached = startBlock
            return Outcome(kept: kept, next: .finished)
        }
        if next == lastCursor {
            return Outcome(kept: kept, next: .failed("next_page_params did not change after page \(pages)"))
        }
        lastCursor = next
        if let cursorBlock = next.first(where: { $0.name == "block_number" }).flatMap({ Int($0.value) }) {
            if cursorBlock < startBlock {
                reached = startBlock
                return Outcome(kept: kept, next: .finished)
            }
            reached = min(reached, cursorBlock + 1)
        }
        return Outcome(kept: kept, next: .fetch(cursor: next))
    }
}
