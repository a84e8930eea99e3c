import Foundation
import Logging

/// The Etherscan-compatible explorer simulator on 127.0.0.1 (SPEC §9).
///
/// Etherscan V2 at `/v2/api?chainid=…`, Blockscout at `/blockscout/<chainid>/api?…`, counters at
/// `GET /_sim/stats` and `POST /_sim/reset-stats`.
public final class SimulatorServer: Sendable {
    public let configuration: SimulatorConfiguration
    private let service: ExplorerService
    private let server: HTTPServer
    private let logger: Logger

    public convenience init(configuration: SimulatorConfiguration, logger: Logger) throws(SimulatorError) {
        try self.init(configuration: configuration, logger: logger, sleeper: { Thread.sleep(forTimeInterval: $0) })
    }

    /// - Parameter sleeper: how a connection thread waits out an answer's latency (tests record it).
    init(
        configuration: SimulatorConfiguration, logger: Logger, sleeper: @escaping HTTPServer.Sleeper
    ) throws(SimulatorError) {
        try configuration.validate()
        self.configuration = configuration
        self.logger = logger
        let service = ExplorerService(configuration: configuration, logger: logger)
        self.service = service
        server = HTTPServer(logger: logger, sleeper: sleeper) { request in service.handle(request) }
    }

    /// Binds and starts serving; returns the bound port (useful with `port: 0`).
    @discardableResult
    public func start() throws(SimulatorError) -> Int {
        let port = try server.start(port: configuration.port)
        logger.info(
            "simulator listening",
            metadata: [
                "http.port": "\(port)", "simulator.seed": "\(configuration.generator.seed)",
                "simulator.transfers_per_day": "\(configuration.generator.transfersPerDay)",
                "simulator.fault_rate": "\(configuration.faultRate)",
            ])
        return port
    }

    /// The bound port (0 before `start()`).
    public var port: Int { server.port }

    /// `http://127.0.0.1:<port>`.
    public var baseURL: String { "http://127.0.0.1:\(server.port)" }

    /// Stops accepting and closes open connections.
    public func stop() {
        server.stop()
        logger.info("simulator stopped", metadata: ["http.port": "\(server.port)"])
    }

    /// The counters served at `/_sim/stats`.
    public var stats: SimulatorStats { service.currentStats }

    public func resetStats() {
        service.resetStats()
    }
}
