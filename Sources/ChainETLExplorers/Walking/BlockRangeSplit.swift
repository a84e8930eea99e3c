/// How a dense walk is cut into disjoint block sub-ranges walked at once (pure functions).
///
/// Each sub-range costs about one partial page more than walking the range in one go (its last
/// window is rarely full), so a range is only split when every part still holds
/// `minimumPagesPerPart` estimated pages: the extra calls stay under 1/16 ≈ 6 % of the walk.
/// Parts are equal in blocks: the density is taken as even over the day.
public enum BlockRangeSplit {
    /// Estimated full pages a part must hold.
    public static let minimumPagesPerPart = 16

    /// Rows per block seen by a first page that kept `rowsKept` rows of the blocks
    /// `[fromBlock, restartBlock)` (the rows of `restartBlock` itself were dropped).
    public static func density(fromBlock: Int, restartBlock: Int, rowsKept: Int) -> Double? {
        let blocks = restartBlock - fromBlock
        guard blocks > 0, rowsKept > 0 else { return nil }
        return Double(rowsKept) / Double(blocks)
    }

    /// The sub-ranges of `blocks` to walk at once, in block order, for `rowsPerBlock` rows per
    /// block and pages of `pageSize` rows; one part (the whole range) when splitting does not pay.
    public static func parts(
        of blocks: ClosedRange<Int>, rowsPerBlock: Double, pageSize: Int, maximumParts: Int,
        minimumPagesPerPart: Int = minimumPagesPerPart
    ) -> [ClosedRange<Int>] {
        let count = blocks.count
        guard rowsPerBlock.isFinite, rowsPerBlock > 0, pageSize > 0, maximumParts > 1, count > 1 else {
            return [blocks]
        }
        let pages = rowsPerBlock * Double(count) / Double(pageSize)
        let wanted = Int(min(pages / Double(max(1, minimumPagesPerPart)), Double(Int32.max)))
        let k = min(maximumParts, wanted, count)
        guard k > 1 else { return [blocks] }
        return (0..<k).map { index in
            let low = blocks.lowerBound + index * count / k
            let high = blocks.lowerBound + (index + 1) * count / k - 1
            return low...high
        }
    }

    /// Estimated calls of walking `rows` rows with pages of `pageSize`: the lower bound of a
    /// walk, `ceil(rows / pageSize)`, and 1 for a walk with no rows.
    public static func minimumCalls(rows: Int, pageSize: Int) -> Int {
        guard rows > 0 else { return 1 }
        let size = max(1, pageSize)
        return (rows + size - 1) / size
    }
}
