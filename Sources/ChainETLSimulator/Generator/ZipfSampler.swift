import Foundation

/// Draws population indices `1...count` with probability proportional to `1 / rank^exponent`.
struct ZipfSampler: Sendable {
    private let cumulative: [Double]

    init(count: Int, exponent: Double) {
        var running = 0.0
        var table: [Double] = []
        table.reserveCapacity(count)
        for rank in 1...count {
            running += 1.0 / pow(Double(rank), exponent)
            table.append(running)
        }
        cumulative = table.map { $0 / running }
    }

    /// A 1-based rank.
    func sample(_ rng: inout SplitMix64) -> Int {
        let target = rng.unit()
        var low = 0
        var high = cumulative.count - 1
        while low < high {
            let middle = (low + high) / 2
            if cumulative[middle] < target { low = middle + 1 } else { high = middle }
        }
        return low + 1
    }

    static let accounts = ZipfSampler(count: SimulatedChain.accountPopulation, exponent: 1.07)
}
