import ChainETLCore

/// The `with:` of `load/prices`.
///
/// ```yaml
/// - id: prices
///   uses: load/prices
///   with:
///     file: data/prices.csv          # optional: chain_id,token_address,day,usd
///     fixed:                         # optional: stablecoins at a fixed USD price
///       "0xa0b8…": "1.00"            # every chain of the pipeline
///       "10:0x0b2c…": "1.00"         # one chain, by id or by name (ethereum:0x…)
///     quarantine_threshold: 0.001    # largest quarantined share of the file's rows (default 0.1 %)
///     max_shrink: 0.5                # a reload may remove at most half the day's loaded prices
///     allow_shrink: false            # true lets a reload remove any share (as --force does)
/// ```
///
/// Prices are exact decimals (quote them in YAML so they stay text). A daily price from the file
/// wins over a fixed one; a token with neither stays unpriced (`…_usd` null, never 0).
struct PricesConfiguration: Sendable {
    static let schema = StageParameterSchema(
        parameters: [
            StageParameter(
                name: "file", type: .string,
                description: "daily prices CSV (chain_id,token_address,day,usd), relative to the pipeline file's folder"
            ),
            StageParameter(
                name: "fixed", type: .mapping,
                description: "token address (optionally chain:address) to a fixed USD price, for stablecoins"),
            QuarantineThreshold.parameter,
        ] + ShrinkGuard.parameters)

    var file: StageFilePath?
    var fileDigest: String?
    var fixed: [TokenPrice]
    var threshold: QuarantineThreshold
    var shrinkGuard: ShrinkGuard

    init(spec: StageSpec, pipeline: PipelineSpec) throws {
        let parameters = spec.parameters
        if parameters.node("file") != nil {
            let file = try StageFilePath(key: "file", spec: spec, pipeline: pipeline)
            self.file = file
            fileDigest = try FileDigest.sha256(path: file.resolved)
        }
        threshold = try QuarantineThreshold(spec: spec)
        shrinkGuard = try ShrinkGuard(spec: spec)
        fixed = []
        if let mapping = try parameters.mapping("fixed"), case .mapping(let pairs) = mapping.value {
            for pair in pairs {
                fixed += try Self.fixedPrices(pair.key, pair.value, location: pair.keyLocation, pipeline: pipeline)
            }
        }
        if file == nil && fixed.isEmpty {
            throw ConfigDiagnostic(
                location: spec.location, message: "load/prices stage \(spec.id) has neither file nor fixed prices",
                hint: "add file: data/prices.csv or fixed: { \"0x…\": \"1.00\" }")
        }
    }

    /// The fixed prices one `fixed:` entry declares (one per chain it applies to).
    private static func fixedPrices(
        _ key: String, _ value: ConfigNode, location: SourceLocation, pipeline: PipelineSpec
    ) throws(ConfigDiagnostic) -> [TokenPrice] {
        guard case .scalar(let usd) = value.value else {
            throw ConfigDiagnostic(
                location: value.location, message: "the fixed price of \(key) must be a decimal such as \"1.00\"")
        }
        let parts = key.split(separator: ":", maxSplits: 1).map(String.init)
        var chainIDs: [Int]
        let address: String
        if parts.count == 2 {
            address = parts[1]
            if let id = Int(parts[0]), id > 0 {
                chainIDs = [id]
            } else if let chain = pipeline.chain(named: parts[0]) {
                chainIDs = [chain.chainID]
            } else {
                throw ConfigDiagnostic(
                    location: location,
                    message: "'\(parts[0])' in \(key) is neither a chain id nor a chain under chains:",
                    hint: "write <chain id or name>:0x… or just the address")
            }
        } else {
            address = key
            chainIDs = pipeline.chains.map(\.chainID)
            guard !chainIDs.isEmpty else {
                throw ConfigDiagnostic(
                    location: location, message: "fixed price \(key) names no chain and the pipeline declares none",
                    hint: "write 1:\(key) (chain id, colon, address)")
            }
        }
        var prices: [TokenPrice] = []
        for chainID in chainIDs {
            switch PriceFile.price(chainID: String(chainID), token: address, day: nil, usd: usd) {
            case .success(let price): prices.append(price)
            case .failure(let problem):
                throw ConfigDiagnostic(
                    location: location, message: "fixed price \(key): \(problem)", hint: "write \"0x…\": \"1.00\"")
            }
        }
        return prices
    }
}
