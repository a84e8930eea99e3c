import Foundation
import Testing

/// Issue 17 item 4: `deploy/kubernetes/` validates against the Kubernetes schemas with
/// `kubernetes-validate --strict` from PyPI (installed by `make setup`); a missing validator fails
/// the test with how to install it, and a broken manifest must fail the validator.
@Suite("Kubernetes manifests (kubernetes-validate)")
struct KubernetesManifestsTests {
    static let directory = ChainETLProcess.packageRoot.appendingPathComponent("deploy/kubernetes")

    static func validate(_ paths: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-m", "kubernetes_validate", "--strict", "--no-warn"] + paths
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("chainetl-kv-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: output) }
        let handle = try FileHandle(forWritingTo: output)
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return (process.terminationStatus, try String(contentsOf: output, encoding: .utf8))
    }

    static func manifests() throws -> [URL] {
        try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "yaml" }.sorted { $0.path < $1.path }
    }

    @Test func everyManifestPassesStrictSchemaValidation() throws {
        let files = try Self.manifests()
        #expect(
            Set(files.map(\.lastPathComponent))
                == ["cronjob-nightly.yaml", "job-backfill.yaml", "pvc.yaml", "secret.yaml"])
        let probe = try Self.validate(["--version"])
        try #require(
            probe.status == 0,
            "kubernetes-validate is missing: run `make setup` (pip install kubernetes-validate): \(probe.output)")
        let result = try Self.validate(files.map(\.path))
        #expect(result.status == 0, "\(result.output)")
        #expect(
            result.output.components(separatedBy: " passed for resource ").count - 1 == files.count, "\(result.output)")
    }

    @Test func theValidatorRejectsABrokenManifest() throws {
        let job = try String(contentsOf: Self.directory.appendingPathComponent("job-backfill.yaml"), encoding: .utf8)
        let broken = job.replacingOccurrences(of: "  completions: 3", with: "  completionz: 3")
        #expect(broken != job)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent(
            "chainetl-broken-\(UUID().uuidString).yaml")
        try broken.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let result = try Self.validate([file.path])
        #expect(result.status != 0, "a misspelled field passed: \(result.output)")
        #expect(result.output.contains("completionz"), "\(result.output)")
    }

    @Test func theWorkersClaimTheRangeAndShareTheSecretAndVolume() throws {
        let job = try String(contentsOf: Self.directory.appendingPathComponent("job-backfill.yaml"), encoding: .utf8)
        #expect(job.contains("- --claim") && job.contains("completionMode: Indexed"))
        #expect(job.contains("completions: 3") && job.contains("parallelism: 3"))
        for name in ["job-backfill.yaml", "cronjob-nightly.yaml"] {
            let text = try String(contentsOf: Self.directory.appendingPathComponent(name), encoding: .utf8)
            #expect(text.contains("name: chainetl-secrets") && text.contains("claimName: chainetl-work"), "\(name)")
        }
    }
}
