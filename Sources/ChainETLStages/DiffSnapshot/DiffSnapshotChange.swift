/// One figure that differs between two `DiffSnapshotting` snapshots.
public struct DiffSnapshotChange: Sendable, Codable, Equatable {
    /// The entity, e.g. `1/0xa0b8…/2026-11-20` (chain, token, day).
    public var entity: String
    /// The figure, e.g. `transfer_count`.
    public var metric: String
    /// Before the stage ran; nil when the entity did not exist.
    public var before: String?
    /// After the stage ran; nil when the entity is gone.
    public var after: String?
    /// `after - before` as signed decimal text (`+3`, `-120`), absent values counting as 0;
    /// nil when a value is not an integer.
    public var delta: String?

    public init(entity: String, metric: String, before: String?, after: String?, delta: String?) {
        self.entity = entity
        self.metric = metric
        self.before = before
        self.after = after
        self.delta = delta
    }

    /// Every key whose value differs (appeared, vanished or changed), sorted by entity then metric.
    public static func changes(before: [String: String], after: [String: String]) -> [DiffSnapshotChange] {
        var result: [DiffSnapshotChange] = []
        for key in Set(before.keys).union(after.keys).sorted() where before[key] != after[key] {
            let old = before[key]
            let new = after[key]
            let split = key.lastIndex(of: "/")
            let entity = split.map { String(key[..<$0]) } ?? ""
            let metric = split.map { String(key[key.index(after: $0)...]) } ?? key
            var delta: String?
            if let oldValue = number(old), let newValue = number(new) {
                delta = WideUnsigned.signedDifference(from: oldValue, to: newValue)
            }
            result.append(DiffSnapshotChange(entity: entity, metric: metric, before: old, after: new, delta: delta))
        }
        return result.sorted { ($0.entity, $0.metric) < ($1.entity, $1.metric) }
    }

    /// An absent value counts as 0; a present one must be decimal digits.
    private static func number(_ value: String?) -> WideUnsigned? {
        guard let value else { return .zero }
        return WideUnsigned(decimal: value)
    }

    enum CodingKeys: String, CodingKey {
        case entity, metric, before, after, delta
    }
}
