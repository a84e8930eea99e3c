import ChainETLCore
import Foundation
import Testing

@testable import ChainETLRunner

@Suite("PartitionRequest")
struct PartitionRequestTests {
    @Test func defaultsToYesterdayUTC() throws {
        let request = try PartitionRequest.parse(partition: nil, from: nil, to: nil)
        // 2026-11-21T00:30:00Z: yesterday is the 20th even half an hour after midnight.
        let now = Date(timeIntervalSince1970: 1_795_221_000)
        #expect(request.days(now: now) == [PartitionDay("2026-11-20")!])
    }

    @Test func aRangeIsEveryDayInclusive() throws {
        let request = try PartitionRequest.parse(partition: nil, from: "2026-10-30", to: "2026-11-02")
        #expect(request.days().map(\.description) == ["2026-10-30", "2026-10-31", "2026-11-01", "2026-11-02"])
        #expect(request.flags() == ["--from", "2026-10-30", "--to", "2026-11-02"])
    }

    @Test(
        arguments: [
            ("2026-13-01", nil, nil, "--partition 2026-13-01 is not a date"),
            (nil, "2026-11-02", nil, "--from and --to go together"),
            (nil, "2026-11-05", "2026-11-01", "is after --to"),
            ("2026-11-01", "2026-11-01", "2026-11-02", "either --partition or --from/--to"),
        ] as [(String?, String?, String?, String)])
    func rejectsBadFlags(partition: String?, from: String?, to: String?, message: String) {
        #expect {
            _ = try PartitionRequest.parse(partition: partition, from: from, to: to)
        } throws: { error in
            guard let error = error as? RunnerError, case .usage(let text) = error else { return false }
            return text.contains(message) && error.exitCode == 2
        }
    }
}
