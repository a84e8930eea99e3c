import ChainETLCore
import Foundation
import Testing

@testable import ChainETLStages

@Suite("extract error messages")
struct ExtractErrorMessageTests {
    @Test func aDayBeforeTheChainsGenesisSaysSoNotToWaitForTheDayToEnd() {
        let error = ExtractError.dayNotStarted(
            chain: "ethereum", day: PartitionDay("2015-01-01")!, head: 21_000_000, dayIsOver: true)
        #expect(error.description.contains("is before the first block of chain ethereum"))
        #expect(error.description.contains("on or after the chain's genesis"))
        #expect(!error.description.contains("once the day is over"))
    }

    @Test func aDayThatHasNotStartedStillSaysToRunItOnceItIsOver() {
        let error = ExtractError.dayNotStarted(
            chain: "ethereum", day: PartitionDay("2999-01-01")!, head: 21_000_000, dayIsOver: false)
        #expect(error.description.contains("run it once the day is over"))
    }
}
