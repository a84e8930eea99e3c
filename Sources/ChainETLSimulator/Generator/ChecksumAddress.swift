/// EIP-55 mixed-case checksum encoding of addresses, as Blockscout REST v2 serves them.
enum ChecksumAddress {
    /// `address` (`0x` + 40 hex digits, any case) with each letter uppercased where the matching
    /// nibble of keccak256(lowercase hex digits) is 8 or more.
    static func encode(_ address: String) -> String {
        let digits = Array(address.utf8.dropFirst(2)).map { $0 >= 65 && $0 <= 70 ? $0 | 0x20 : $0 }
        let hash = Keccak256.hash(digits)
        var out: [UInt8] = [48, 120]
        out.reserveCapacity(42)
        for (index, digit) in digits.enumerated() {
            let byte = hash[index / 2]
            let nibble = index % 2 == 0 ? byte >> 4 : byte & 0x0F
            let isLetter = digit >= UInt8(ascii: "a") && digit <= UInt8(ascii: "f")
            out.append(isLetter && nibble >= 8 ? digit - 32 : digit)
        }
        return String(decoding: out, as: UTF8.self)
    }
}
