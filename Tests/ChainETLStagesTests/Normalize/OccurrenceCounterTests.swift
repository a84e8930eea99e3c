import Testing

@testable import ChainETLStages

@Suite("Normalize: occurrence counter")
struct OccurrenceCounterTests {
    /// Feeds `tuples` (block, bytes) to a counter and to a dictionary model; returns both answers.
    private func count(_ tuples: [(block: Int, bytes: [UInt8])]) throws -> (counted: [Int], expected: [Int]) {
        var counter = OccurrenceCounter()
        var model: [[UInt8]: Int] = [:]
        var modelBlock: Int?
        var counted: [Int] = []
        var expected: [Int] = []
        for (line, tuple) in tuples.enumerated() {
            if modelBlock != tuple.block { model = [:] }
            modelBlock = tuple.block
            expected.append(model[tuple.bytes, default: 0])
            model[tuple.bytes, default: 0] += 1
            counted.append(try tuple.bytes.withUnsafeBytes { try counter.next(tuple: $0, block: tuple.block, line: line) })
        }
        return (counted, expected)
    }

    @Test("a large block (the table grows several times) and the small blocks after it count like a dictionary")
    func matchesDictionary() throws {
        var generator = SystemRandomNumberGenerator()
        var tuples: [(block: Int, bytes: [UInt8])] = []
        // Block 1: 3,000 tuples of 0-300 bytes drawn from 1,200 distinct ones (prefixes of each
        // other included, and the empty tuple), so most repeat and the table grows past 512 slots.
        let distinct: [[UInt8]] = (0..<1_200).map { index in
            let length = index == 0 ? 0 : Int.random(in: 1...300, using: &generator)
            return (0..<length).map { _ in UInt8.random(in: 0x30...0x33, using: &generator) }
        }
        for _ in 0..<3_000 { tuples.append((1, distinct.randomElement(using: &generator)!)) }
        tuples.append((1, Array(distinct[7].prefix(3))))
        // Then 200 small blocks of 1-4 tuples, some identical within their block and across blocks.
        for block in 2..<202 {
            for _ in 0..<Int.random(in: 1...4, using: &generator) {
                tuples.append((block, distinct[Int.random(in: 0..<3, using: &generator)]))
            }
        }
        let result = try count(tuples)
        #expect(result.counted == result.expected)
        #expect(result.counted.contains { $0 >= 3 })
    }

    @Test("a new block starts every tuple at 0; a lower block throws, unless reset() came first")
    func blocks() throws {
        var counter = OccurrenceCounter()
        let tuple: [UInt8] = Array("1|0xabc|7".utf8)
        func next(_ block: Int) throws -> Int {
            try tuple.withUnsafeBytes { try counter.next(tuple: $0, block: block, line: 9) }
        }
        #expect(try next(5) == 0)
        #expect(try next(5) == 1)
        #expect(try next(6) == 0)
        #expect(throws: NormalizeError.self) { try next(5) }
        counter.reset()
        #expect(try next(5) == 0)
    }
}
