import ChainETLCore
import Foundation

// `chainetl-bench [--rows N] [--only a,b] [--scratch DIR] [--keep]`: the numbers behind `make bench`.
// Each section measures one part of the pipeline against its baseline; the driver adds the
// section's peak RSS. Add a section by appending it here (see BenchSection.swift).
let transferStages = TransferStageBenchShared()
let sections: [any BenchSection] = [
    CheckpointBenchSection(),
    NormalizeBenchSection(shared: transferStages),
    NormalizeCoreBenchSection(),
    DedupeBenchSection(shared: transferStages),
    LoadBenchSection(),
    AggregateBenchSection(),
    ExtractBenchSection(),
    NightlyBenchSection(),
]

struct BenchOptions {
    var rows = 1_000_000
    var only: Set<String>?
    var scratch: URL?
    var keep = false

    static let usage = "usage: chainetl-bench [--rows N] [--only SECTION[,SECTION]] [--scratch DIR] [--keep]"

    init(arguments: [String]) throws {
        var remaining = arguments[...]
        func value(_ flag: String) throws -> String {
            guard let next = remaining.popFirst() else {
                throw BenchError.usage("\(flag) needs a value\n\(Self.usage)")
            }
            return next
        }
        while let argument = remaining.popFirst() {
            switch argument {
            case "--rows":
                let text = try value(argument)
                guard let count = Int(text.replacingOccurrences(of: "_", with: "")), count > 0 else {
                    throw BenchError.usage("--rows must be a positive integer, got '\(text)'")
                }
                rows = count
            case "--only":
                only = Set(try value(argument).split(separator: ",").map(String.init))
            case "--scratch":
                scratch = URL(fileURLWithPath: try value(argument), isDirectory: true)
            case "--keep":
                keep = true
            case "--help", "-h":
                print(Self.usage)
                exit(0)
            default:
                throw BenchError.usage("unknown argument '\(argument)'\n\(Self.usage)")
            }
        }
    }
}

func runBench(_ sections: [any BenchSection]) -> Int32 {
    let options: BenchOptions
    do {
        options = try BenchOptions(arguments: Array(CommandLine.arguments.dropFirst()))
    } catch {
        FileHandle.standardError.write(Data("chainetl-bench: \(error)\n".utf8))
        return 2
    }
    let selected = sections.filter { options.only?.contains($0.name) ?? true }
    if let only = options.only, selected.count != only.count {
        let known = sections.map(\.name).joined(separator: ", ")
        FileHandle.standardError.write(Data("chainetl-bench: unknown section in --only; known: \(known)\n".utf8))
        return 2
    }
    let scratch =
        options.scratch
        ?? FileManager.default.temporaryDirectory.appendingPathComponent(
            "chainetl-bench-\(ProcessInfo.processInfo.processIdentifier)", isDirectory: true)
    do {
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    } catch {
        FileHandle.standardError.write(Data("chainetl-bench: cannot create \(scratch.path): \(error)\n".utf8))
        return 1
    }
    defer { if !options.keep { try? FileManager.default.removeItem(at: scratch) } }

    print("chainetl-bench \(ChainETLVersion.string): \(options.rows) rows, scratch \(scratch.path)")
    let context = BenchContext(rows: options.rows, scratch: scratch)
    var table = BenchTable()
    var failed = false
    for section in selected {
        FileHandle.standardError.write(Data("running \(section.name)...\n".utf8))
        let perSection = PeakMemory.reset()
        do {
            table.append(contentsOf: try section.run(context))
        } catch {
            FileHandle.standardError.write(Data("chainetl-bench: section \(section.name) failed: \(error)\n".utf8))
            table.append(contentsOf: [BenchMeasure(measure: "\(section.name)", value: "FAILED")])
            failed = true
        }
        if let peak = PeakMemory.peakBytes() {
            let megabytes = Double(peak) / 1_048_576
            table.append(contentsOf: [
                .rate(
                    "\(section.name) peak RSS MiB" + (perSection ? "" : " (whole process)"), megabytes,
                    baseline: 200, label: "SPEC max")
            ])
        }
    }
    print(table.render(), terminator: "")
    return failed ? 1 : 0
}

exit(runBench(sections))
