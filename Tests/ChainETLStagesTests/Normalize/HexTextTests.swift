import Testing

@testable import ChainETLStages

/// `HexText.copyLowercased` checks and lowercases hex eight bytes at a time; every byte value at
/// every position must get the same answer as a byte-by-byte check.
@Suite("Hex text")
struct HexTextTests {
    private static func isHexDigit(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x41...0x46).contains(byte) || (0x61...0x66).contains(byte)
    }

    private static func lowercased(_ byte: UInt8) -> UInt8 {
        (0x41...0x46).contains(byte) ? byte | 0x20 : byte
    }

    @Test(arguments: [40, 64, 13])
    func everyByteAtEveryPositionIsJudgedAsAByteByByteCheckWould(digits: Int) {
        let base = Array("0x".utf8) + (0..<digits).map { Array("0123456789abcdefABCDEF".utf8)[$0 % 22] }
        var buffer: [UInt8] = []
        for position in 2..<base.count {
            for value in 0...255 {
                var text = base
                text[position] = UInt8(value)
                let accepted = text.withUnsafeBytes { HexText.copyLowercased($0, digits: digits, into: &buffer) }
                #expect(accepted == Self.isHexDigit(UInt8(value)), "byte \(value) at \(position)")
                if accepted {
                    #expect(buffer == Array("0x".utf8) + text[2...].map(Self.lowercased))
                }
            }
        }
    }

    @Test func theLengthAndThePrefixAreChecked() {
        var buffer: [UInt8] = []
        let address = "0xA0b86991c6218b36c1d19d4a2e9eb0ce3606eb48"
        func copy(_ text: String, digits: Int = 40) -> Bool {
            Array(text.utf8).withUnsafeBytes { HexText.copyLowercased($0, digits: digits, into: &buffer) }
        }
        #expect(copy(address))
        #expect(String(decoding: buffer, as: UTF8.self) == address.lowercased())
        #expect(copy("0X" + address.dropFirst(2)))
        #expect(String(decoding: buffer, as: UTF8.self) == address.lowercased())
        #expect(!copy(address + "0"))
        #expect(!copy(String(address.dropLast())))
        #expect(!copy("1x" + address.dropFirst(2)))
    }
}
