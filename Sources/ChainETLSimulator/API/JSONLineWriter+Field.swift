import ChainETLCore

extension JSONLineWriter {
    /// Writes `"name":"value"`: one string member of the current object.
    mutating func field(_ name: StaticString, _ value: String) {
        key(name)
        string(value)
    }
}
