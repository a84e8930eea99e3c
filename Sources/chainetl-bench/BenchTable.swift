/// Prints measures as an aligned text table: the measure left-aligned, numbers right-aligned.
struct BenchTable {
    private(set) var rows: [BenchMeasure] = []

    mutating func append(contentsOf measures: [BenchMeasure]) {
        rows.append(contentsOf: measures)
    }

    func render() -> String {
        let header = BenchMeasure(measure: "measure", value: "value", baseline: "baseline", ratio: "ratio")
        let all = [header] + rows
        let cells: [[String]] = all.map { [$0.measure, $0.value, $0.baseline, $0.ratio] }
        var widths = [0, 0, 0, 0]
        for row in cells {
            for column in 0..<4 {
                widths[column] = max(widths[column], row[column].count)
            }
        }
        func line(_ row: [String]) -> String {
            var parts: [String] = []
            for column in 0..<4 {
                let padding = String(repeating: " ", count: widths[column] - row[column].count)
                parts.append(column == 0 ? row[column] + padding : padding + row[column])
            }
            return parts.joined(separator: " | ")
        }
        var output = line(cells[0]) + "\n"
        output += widths.map { String(repeating: "-", count: $0) }.joined(separator: "-|-") + "\n"
        for row in cells.dropFirst() {
            output += line(row) + "\n"
        }
        return output
    }
}
