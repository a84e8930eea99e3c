import ChainETLCore
import Foundation
import Testing

@Suite struct UTCTimestampTests {
    @Test func everyPrecisionFormatsTheSameMoment() {
        let date = Date(timeIntervalSince1970: 1_795_000_000.5)
        #expect(UTCTimestamp.iso8601(date) == "2026-11-18T11:06:40Z")
        #expect(UTCTimestamp.iso8601(date, precision: .milliseconds) == "2026-11-18T11:06:40.500Z")
        #expect(UTCTimestamp.iso8601(date, precision: .microseconds) == "2026-11-18T11:06:40.500000Z")
        #expect(UTCTimestamp.compact(date) == "20261118T110640Z")
        #expect(UTCTimestamp.readable(date) == "2026-11-18 11:06:40Z")
        #expect(UTCTimestamp.timeOfDay(date) == "11:06:40")
    }

    @Test func secondsAndMillisecondsRoundDownEvenBeforeTheEpoch() {
        #expect(UTCTimestamp.iso8601(Date(timeIntervalSince1970: 0), precision: .milliseconds) == "1970-01-01T00:00:00.000Z")
        #expect(UTCTimestamp.iso8601(Date(timeIntervalSince1970: -0.5), precision: .milliseconds) == "1969-12-31T23:59:59.500Z")
        #expect(UTCTimestamp.iso8601(Date(timeIntervalSince1970: -0.5)) == "1969-12-31T23:59:59Z")
        #expect(UTCTimestamp.iso8601(Date(timeIntervalSince1970: 1_763_694_000.7)) == "2025-11-21T03:00:00Z")
    }

    @Test func microsecondsRoundToTheNearestSoDatabaseValuesKeepTheirText() {
        // 0.123456 is not exact in binary; flooring would print …123455.
        let date = Date(timeIntervalSince1970: 1_795_000_000.123456)
        #expect(UTCTimestamp.iso8601(date, precision: .microseconds) == "2026-11-18T11:06:40.123456Z")
        #expect(UTCTimestamp.iso8601(Date(timeIntervalSince1970: -0.000001), precision: .microseconds)
            == "1969-12-31T23:59:59.999999Z")
    }
}
