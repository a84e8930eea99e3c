import Foundation

/// One group of measurements in `chainetl-bench` (checkpoint, normalize, load, aggregate, …).
///
/// To add a section: write a type conforming to this protocol in its own file and append it to
/// the `sections` array in `main.swift`. `run` does its own timing and returns finished rows;
/// the driver adds the section's peak RSS.
protocol BenchSection {
    /// Short lowercase name, used by `--only` and as the prefix of its measures.
    var name: String { get }
    func run(_ context: BenchContext) throws -> [BenchMeasure]
}

/// One row of the results table: `measure | value | baseline | ratio`.
struct BenchMeasure {
    var measure: String
    var value: String
    var baseline: String
    var ratio: String

    init(measure: String, value: String, baseline: String = "", ratio: String = "") {
        self.measure = measure
        self.value = value
        self.baseline = baseline
        self.ratio = ratio
    }

    /// A measured number next to its baseline; the ratio is ours / baseline.
    static func rate(_ measure: String, _ ours: Double, baseline: Double?, label: String = "") -> BenchMeasure {
        var baselineText = baseline.map(BenchFormat.number) ?? ""
        if !label.isEmpty && baseline != nil { baselineText += " (\(label))" }
        let ratio = baseline.map { $0 > 0 ? BenchFormat.ratio(ours / $0) : "n/a" } ?? ""
        return BenchMeasure(measure: measure, value: BenchFormat.number(ours), baseline: baselineText, ratio: ratio)
    }
}

/// Shared state of one bench run: options, the scratch directory and lazily built data sets.
final class BenchContext {
    let rows: Int
    let scratch: URL
    private var transfers: GeneratedFile?

    init(rows: Int, scratch: URL) {
        self.rows = rows
        self.scratch = scratch
    }

    /// `rows` canonical transfer lines (`transfer/1`) from the simulator's generator, in an
    /// uncompressed NDJSON file built once and shared by every section.
    func canonicalTransfers() throws -> GeneratedFile {
        if let transfers { return transfers }
        let url = scratch.appendingPathComponent("transfers.ndjson")
        let generated = try TransferLineGenerator(seed: 1).write(rows: rows, to: url)
        transfers = generated
        return generated
    }
}

/// A generated input file and its size.
struct GeneratedFile {
    let url: URL
    let rows: Int
    let bytes: Int
}

/// Number formatting for the results table.
enum BenchFormat {
    /// `1,234,567` for large values, two decimals below 100.
    static func number(_ value: Double) -> String {
        if !value.isFinite { return "n/a" }
        if abs(value) < 100 { return String(format: "%.2f", value) }
        let digits = String(Int(value.rounded()))
        var grouped = ""
        for (index, character) in digits.reversed().enumerated() {
            if index > 0 && index % 3 == 0 && character != "-" { grouped.append(",") }
            grouped.append(character)
        }
        return String(grouped.reversed())
    }

    static func ratio(_ value: Double) -> String {
        value.isFinite ? String(format: "%.2fx", value) : "n/a"
    }

    static func megabytes(_ bytes: Int) -> Double {
        Double(bytes) / 1_000_000
    }
}
