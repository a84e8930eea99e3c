/// `closest=` of `getblocknobytime`: the block at/before or at/after a timestamp.
public enum BlockSearchDirection: String, Sendable {
    case before
    case after
}
