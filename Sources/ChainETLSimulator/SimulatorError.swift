#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Failures of the explorer simulator and its ground truth.
public enum SimulatorError: Error, Equatable, CustomStringConvertible {
    /// The chain id is not one of `SimulatedChain.all`.
    case unsupportedChain(Int)
    /// A `--tokens` entry names no token of the chain.
    case unknownToken(String, chainID: Int)
    /// A command-line option has a value outside its domain.
    case invalidOption(String, String)
    /// A socket call failed (operation, errno).
    case socket(String, Int32)
    /// Writing the port file failed.
    case portFile(String, String)

    public var description: String {
        switch self {
        case .unsupportedChain(let chainID):
            let supported = SimulatedChain.all.map { String($0.chainID) }.joined(separator: ", ")
            return "chain \(chainID) is not simulated; use one of \(supported)"
        case .unknownToken(let token, let chainID):
            return
                "token \(token) is not on simulated chain \(chainID); list them with `chainetl simulate --truth --chain \(chainID)` and pass addresses or symbols"
        case .invalidOption(let option, let problem):
            return "option \(option) \(problem)"
        case .socket(let operation, let code):
            return
                "simulator \(operation) failed: \(String(cString: strerror(code))) (errno \(code)); pick another --port or check loopback networking"
        case .portFile(let path, let problem):
            return "cannot write the port file \(path): \(problem); check the directory exists and is writable"
        }
    }
}
