import ChainETLCore
import Foundation
import Testing

@testable import ChainETLStages

@Suite("Export provenance")
struct ExportProvenanceTests {
    @Test("a day that has ended is a closed day; today is a live delta stamped with the export time")
    func freshness() {
        let day = PartitionDay("2026-11-20")!
        let closed = ExportProvenance.freshness(partition: day, now: day.end)
        #expect(closed.kind == "closed_day")
        #expect(closed.statement.contains("2026-11-20"))
        let live = ExportProvenance.freshness(partition: day, now: day.start.addingTimeInterval(3_600))
        #expect(live.kind == "live_delta")
        #expect(live.statement.contains("2026-11-20T01:00:00Z"))
    }

    @Test("the source URL loses credentials, query and fragment")
    func sanitizedSource() {
        #expect(
            ExportProvenance.sanitizedSource("https://user:pw@api.example.com/v2/api?apikey=SECRET#x")
                == "https://api.example.com/v2/api")
        #expect(ExportProvenance.sanitizedSource("not a url") == "")
    }
}
