/// One page of a Blockscout REST v2 list endpoint.
public struct BlockscoutV2Page: Equatable, Sendable {
    /// The `items`, verbatim, with `block_number` / `log_index` decoded.
    public var items: [ExplorerRow]
    /// `next_page_params`, to send back as query parameters; nil on the last page.
    public var nextPageParameters: [QueryParameter]?

    public init(items: [ExplorerRow], nextPageParameters: [QueryParameter]?) {
        self.items = items
        self.nextPageParameters = nextPageParameters
    }
}
