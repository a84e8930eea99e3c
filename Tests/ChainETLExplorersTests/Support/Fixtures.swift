import Foundation
import Testing

@testable import ChainETLExplorers

/// Recorded explorer responses copied from shared/fixtures/explorers (see each `.source.txt`).
enum Fixtures {
    static let directory: URL = {
        if let bundled = Bundle.module.resourceURL?.appendingPathComponent("Fixtures"),
            FileManager.default.fileExists(atPath: bundled.path)
        {
            return bundled
        }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures")
    }()

    static func bytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: directory.appendingPathComponent("\(name).json")))
    }

    /// The fixture as an HTTP 200 response.
    static func response(_ name: String, status: Int = 200, headers: [String: String] = [:]) throws -> HTTPResponse {
        HTTPResponse(status: status, headers: headers, body: try bytes(name))
    }

    static let request = RedactedURL(string: "https://api.etherscan.io/v2/api?chainid=1&module=account&apikey=SECRET")
}
