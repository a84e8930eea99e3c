/// Why a price row or a `load/prices` configuration is unusable.
enum PricesError: Error, Equatable, CustomStringConvertible {
    /// A price row (or fixed price) with every reason it is wrong.
    case invalidPrice(reasons: [String])

    var description: String {
        switch self {
        case .invalidPrice(let reasons): reasons.joined(separator: "; ")
        }
    }
}
