import Foundation

/// Process-wide services shared by every stage of one run, such as one rate limiter per API key.
///
/// Extraction stages ask for a shared object by key; the first caller creates it and every later
/// caller in the same process gets the same instance, whatever thread it runs on.
public final class ExtractionServices: @unchecked Sendable {
    private let lock = NSLock()
    private var shared: [String: any Sendable] = [:]

    public init() {}

    /// The object stored under `key`, created by `make` on first use.
    ///
    /// - Precondition: every caller using `key` asks for the same type.
    public func shared<Service: Sendable>(_ key: String, make: () throws -> Service) rethrows -> Service {
        lock.lock()
        defer { lock.unlock() }
        if let existing = shared[key] {
            guard let typed = existing as? Service else {
                preconditionFailure("shared service \(key) is a \(type(of: existing)), not \(Service.self)")
            }
            return typed
        }
        let created = try make()
        shared[key] = created
        return created
    }
}
