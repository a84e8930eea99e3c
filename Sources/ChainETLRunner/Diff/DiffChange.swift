/// What happened to one row between the previous and the new checkpoint.
enum DiffChange: String, Sendable, CaseIterable {
    case added
    case removed
    case changed
}
