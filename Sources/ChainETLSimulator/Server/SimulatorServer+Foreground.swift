import ChainETLCore
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension SimulatorServer {
    /// `chainetl simulate`: serves in the foreground until SIGINT or SIGTERM, then stops.
    ///
    /// Once listening it writes the bound port to `portFile` (atomically, so a waiting script never
    /// reads half a number), prints the base URL on stdout and a ready line on stderr.
    public func serveUntilSignalled(portFile: String?) throws(SimulatorError) {
        signal(SIGINT, SIG_IGN)
        signal(SIGTERM, SIG_IGN)
        let stopRequested = DispatchSemaphore(value: 0)
        let sources = [SIGINT, SIGTERM].map { number in
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { stopRequested.signal() }
            source.resume()
            return source
        }

        let boundPort = try start()
        if let portFile {
            do {
                try AtomicFile.write(Data("\(boundPort)\n".utf8), to: URL(fileURLWithPath: portFile))
            } catch {
                throw SimulatorError.portFile(portFile, error.reason)
            }
        }
        FileHandle.standardOutput.write(Data("\(baseURL)\n".utf8))
        let seed = configuration.generator.seed
        FileHandle.standardError.write(
            Data("chainetl simulate: ready on \(baseURL) (seed \(seed); Ctrl-C or SIGTERM stops)\n".utf8))
        stopRequested.wait()
        for source in sources { source.cancel() }
        stop()
    }
}
