import Crypto
import Foundation

/// The fixed identity of an ERC-20 transfer (SPEC §6) and its 16-byte digest, `transfer_id`.
///
/// `occurrence` is the 0-based ordinal among identical tuples inside one transaction, in log
/// order, so getLogs rows (with `logIndex`) and tokentx rows (without) get the same id.
public struct TransferIdentity: Hashable, Sendable {
    public var chainID: Int
    /// Lowercase `0x` hashes and addresses.
    public var txHash: String
    public var tokenAddress: String
    public var fromAddress: String
    public var toAddress: String
    /// Decimal digits, no leading zeros.
    public var value: String
    public var occurrence: Int

    public init(
        chainID: Int, txHash: String, tokenAddress: String, fromAddress: String, toAddress: String,
        value: String, occurrence: Int
    ) {
        self.chainID = chainID
        self.txHash = txHash
        self.tokenAddress = tokenAddress
        self.fromAddress = fromAddress
        self.toAddress = toAddress
        self.value = value
        self.occurrence = occurrence
    }

    /// The canonical text that is hashed: `chain|tx|token|from|to|value|occurrence`.
    public var canonicalText: String {
        "\(chainID)|\(txHash)|\(tokenAddress)|\(fromAddress)|\(toAddress)|\(value)|\(occurrence)"
    }

    /// The first 16 bytes of SHA-256 of `canonicalText`.
    public var digest: [UInt8] {
        Self.digest(ofCanonicalText: Array(canonicalText.utf8))
    }

    /// `digest` as 32 lowercase hex characters: the `transfer_id` in records and exports.
    public var transferID: String {
        LowercaseHex.text(digest)
    }

    /// Hot-path variant: digest of canonical text the caller already assembled as bytes.
    public static func digest(ofCanonicalText bytes: some DataProtocol) -> [UInt8] {
        Array(SHA256.hash(data: bytes).prefix(16))
    }

    /// Hot-path variant that allocates nothing: appends the 32 lowercase hex characters of the
    /// `transfer_id` of `text` (canonical identity bytes) to `hex`.
    public static func appendTransferID(ofCanonicalText text: UnsafeRawBufferPointer, to hex: inout [UInt8]) {
        var hasher = SHA256()
        hasher.update(bufferPointer: text)
        let digest = hasher.finalize()
        digest.withUnsafeBytes { bytes in
            for index in 0..<16 {
                let byte = bytes[index]
                hex.append(hexDigits[Int(byte >> 4)])
                hex.append(hexDigits[Int(byte & 0x0F)])
            }
        }
    }

    private static let hexDigits = LowercaseHex.digits
}
