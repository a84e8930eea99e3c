import ChainETLCore
import Testing

@Suite("UInt256 and AmountSum")
struct UInt256Tests {
    static let maxText = "115792089237316195423570985008687907853269984665640564039457584007913129639935"
    static let twoTo256 = "115792089237316195423570985008687907853269984665640564039457584007913129639936"

    @Test("decimal edge cases parse and print back")
    func decimalEdges() {
        #expect(UInt256(decimal: "0") == .zero)
        #expect(UInt256(decimal: "0")?.description == "0")
        #expect(UInt256(decimal: "18446744073709551615") == UInt256(UInt64.max))
        #expect(UInt256(decimal: "18446744073709551616") == UInt256(words: (0, 1, 0, 0)))
        #expect(UInt256(decimal: "18446744073709551616")?.description == "18446744073709551616")
        #expect(UInt256(decimal: Self.maxText) == .max)
        #expect(UInt256.max.description == Self.maxText)
        // 10^19: the parser's and printer's chunk boundary.
        #expect(UInt256(decimal: "10000000000000000000")?.description == "10000000000000000000")
        #expect(
            UInt256(decimal: "100000000000000000000000000000000000000")?.description
                == "100000000000000000000000000000000000000")
    }

    @Test("overflow by one, garbage and empty are rejected")
    func decimalRejects() {
        #expect(UInt256(decimal: Self.twoTo256) == nil)
        #expect(UInt256(decimal: "1" + String(repeating: "0", count: 78)) == nil)
        #expect(UInt256(decimal: "") == nil)
        #expect(UInt256(decimal: "-1") == nil)
        #expect(UInt256(decimal: "1.5") == nil)
        #expect(UInt256(decimal: " 1") == nil)
    }

    @Test("leading zeros are accepted and dropped")
    func leadingZeros() {
        #expect(UInt256(decimal: "000177")?.description == "177")
        #expect(UInt256(decimal: String(repeating: "0", count: 100) + "5") == UInt256(5))
        #expect(UInt256(hex: "0x" + String(repeating: "0", count: 80) + "ff") == UInt256(255))
        #expect(UInt256(decimal: String(repeating: "0", count: 10) + Self.maxText) == .max)
    }

    @Test("hex: \"0x\" is zero, 32-byte words, case, overflow")
    func hex() {
        #expect(UInt256(hex: "0x") == .zero)
        #expect(UInt256(hex: "0x0") == .zero)
        #expect(UInt256(hex: "") == nil)
        #expect(UInt256(hex: "0xb1") == UInt256(177))
        #expect(UInt256(hex: "B1") == UInt256(177))
        #expect(UInt256(hex: "0X10000000000000000") == UInt256(words: (0, 1, 0, 0)))
        #expect(UInt256(hex: "0x" + String(repeating: "f", count: 64)) == .max)
        #expect(UInt256(hex: "0x1" + String(repeating: "0", count: 64)) == nil)
        #expect(UInt256(hex: "0xg") == nil)
        #expect(
            UInt256(hex: "0x00000000000000000000000000000000000000000001e3f60028423cff0000")?.description
                == "8927503600000000000000")
    }

    @Test("range check on digit text matches parsing")
    func digitsFit() {
        func fits(_ text: String) -> Bool {
            var copy = text
            return copy.withUTF8 { UInt256.decimalDigitsFit(UnsafeRawBufferPointer($0)) }
        }
        #expect(fits(Self.maxText))
        #expect(!fits(Self.twoTo256))
        #expect(fits("9" + String(repeating: "9", count: 76)))  // 77 digits
        #expect(!fits("9" + String(repeating: "9", count: 77)))  // 78 nines > max
        #expect(fits("115792089237316195423570985008687907853269984665640564039457584007913129639934"))
        #expect(!fits(String(repeating: "1", count: 79)))
    }

    @Test("appendDecimal writes the same digits as description")
    func appendDecimal() {
        for value in [
            UInt256.zero, UInt256(1), UInt256(UInt64.max), UInt256(words: (0, 1, 0, 0)), UInt256.max,
            UInt256(words: (12345, 0, 0, 1)),
        ] {
            var bytes: [UInt8] = [UInt8(ascii: "x")]
            value.appendDecimal(to: &bytes)
            #expect(String(decoding: bytes.dropFirst(), as: UTF8.self) == value.description)
        }
    }

    @Test("arithmetic reports overflow and borrow")
    func arithmetic() {
        let (wrapped, overflow) = UInt256.max.addingReportingOverflow(UInt256(1))
        #expect(wrapped == .zero && overflow)
        let (difference, borrow) = UInt256.zero.subtractingReportingOverflow(UInt256(1))
        #expect(difference == .max && borrow)
        #expect(UInt256(UInt64.max).addingReportingOverflow(UInt256(1)).partialValue == UInt256(words: (0, 1, 0, 0)))
        #expect(UInt256(1) < UInt256(words: (0, 1, 0, 0)))
        #expect(UInt256.max.multipliedReportingOverflow(by: 2, adding: 0) == nil)
    }

    @Test("AmountSum stays exact past 2^256")
    func amountSum() {
        var sum = AmountSum()
        sum.add(.max)
        sum.add(UInt256(1))
        #expect(sum.high == 1 && sum.low == .zero)
        #expect(sum.description == Self.twoTo256)
        sum.add(.max)
        // 2^256 + 2^256 - 1 = 2^257 - 1
        #expect(sum.description == "231584178474632390847141970017375815706539969331281128078915168015826259279871")
        sum.subtract(.max)
        sum.subtract(UInt256(1))
        #expect(sum.description == Self.maxText)
        #expect(sum.high == 0)
    }
}
