import Testing

@testable import ChainETLStages

/// Issue 20 item 5: CSV text that a spreadsheet would run as a formula gets one `'` in front, and
/// reading removes exactly that one, so every text round-trips.
@Suite("CSV formula guard")
struct CSVFormulaGuardTests {
    @Test(
        "a value starting with a formula trigger is escaped with one quote",
        arguments: [
            ("=HYPERLINK(\"x\",\"y\")", "'=HYPERLINK(\"x\",\"y\")"), ("+1", "'+1"), ("-2+3", "'-2+3"),
            ("@SUM(A1)", "'@SUM(A1)"), ("\tcmd", "'\tcmd"), ("\rcmd", "'\rcmd"),
            // Already quoted before a trigger: one more quote, so reading back is exact.
            ("'=1", "''=1"), ("''@x", "'''@x"),
        ])
    func escapesFormulas(value: String, csv: String) {
        #expect(CSVFormulaGuard.escaped(value) == csv)
        #expect(CSVFormulaGuard.unescaped(csv) == value)
    }

    @Test(
        "other text is written and read unchanged",
        arguments: ["USDC", "<script>", "", "'", "''", "'quoted'", "a=b", " =x", "Ünïcødé 🚀", "0x-1", "\n=x"])
    func leavesOtherText(value: String) {
        #expect(CSVFormulaGuard.escaped(value) == value)
        #expect(CSVFormulaGuard.unescaped(value) == value)
    }

    @Test("no escaped value starts with a trigger, and every value round-trips")
    func roundTrip() {
        let alphabet: [Character] = ["'", "=", "+", "-", "@", "\t", "\r", "a", " "]
        var values = [""]
        for _ in 0..<4 { values = values.flatMap { prefix in alphabet.map { prefix + String($0) } } }
        for value in values {
            let csv = CSVFormulaGuard.escaped(value)
            #expect(!CSVFormulaGuard.triggers.contains(csv.first ?? "a"), "\(value.debugDescription)")
            #expect(CSVFormulaGuard.unescaped(csv) == value, "\(value.debugDescription)")
        }
    }
}
