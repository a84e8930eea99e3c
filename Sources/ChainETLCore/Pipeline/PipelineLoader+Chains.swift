import Foundation

/// The `chains:` section: one mapping per chain, keyed by chain name.
extension PipelineLoader {
    static let chainKeys = [
        "chain_id", "explorer", "base_url", "api_key_env", "rate_limit", "max_in_flight", "confirmations", "tokens",
        "accounts",
    ]
    static let rateLimitKeys = ["per_second", "per_day"]
    static let tokenKeys = ["address", "symbol", "decimals"]

    /// The chains that are fully valid; problems with the others are reported.
    mutating func loadChains(_ node: ConfigNode?) -> [ChainSpec] {
        guard let node else { return [] }
        guard case .mapping(let pairs) = node.value else {
            report(
                at: node.location,
                "expected a mapping of chain names to chain settings for 'chains', found \(describe(node))",
                hint: "write 'chains:' then 'ethereum:' indented under it, with its settings indented under that")
            return []
        }
        var chains: [ChainSpec] = []
        var seen: [String: SourceLocation] = [:]
        for pair in pairs {
            if let first = seen[pair.key] {
                report(
                    at: pair.keyLocation, "duplicate chain name '\(pair.key)' (first declared at line \(first.line))",
                    hint: "chain names must be unique; rename or remove one of the two")
                continue
            }
            seen[pair.key] = pair.keyLocation
            if let chain = loadChain(name: pair.key, nameLocation: pair.keyLocation, node: pair.value) {
                chains.append(chain)
            }
        }
        return chains
    }

    private mutating func loadChain(name: String, nameLocation: SourceLocation, node: ConfigNode) -> ChainSpec? {
        let context = "chain '\(name)'"
        var valid = true
        if !Self.isIdentifier(name) {
            report(
                at: nameLocation, "invalid chain name '\(name)'",
                hint: "use letters, digits, '_', '-' and '.', starting with a letter or digit")
            valid = false
        }
        let mapping = checkMapping(node, allowed: Self.chainKeys, context: context)

        var chainID: Int?
        if let value = require(mapping, "chain_id", context: context, example: "chain_id: 1", at: nameLocation),
            let number = integer(value, key: "chain_id")
        {
            if number > 0 {
                chainID = number
            } else {
                report(
                    at: value.location, "chain_id must be positive, found \(number)",
                    hint: "use the chain's EIP-155 id, e.g. 1 for ethereum")
            }
        }

        var explorer: ExplorerKind?
        if let value = require(mapping, "explorer", context: context, example: "explorer: etherscan", at: nameLocation),
            let text = string(value, key: "explorer")
        {
            explorer = ExplorerKind(rawValue: text)
            if explorer == nil {
                let kinds = ExplorerKind.allCases.map(\.rawValue)
                report(
                    at: value.location, "unknown explorer \(quoted(value))",
                    hint: NearestName.hint(for: text, in: kinds, noun: "explorer"))
            }
        }

        var baseURL: String?
        if let value = require(
            mapping, "base_url", context: context, example: "base_url: https://api.etherscan.io/v2/api",
            at: nameLocation),
            let text = string(value, key: "base_url")
        {
            if let components = URLComponents(string: text),
                ["http", "https"].contains(components.scheme?.lowercased()),
                components.host?.isEmpty == false
            {
                baseURL = text
            } else {
                report(
                    at: value.location, "invalid base_url \(quoted(value)): expected an http or https url",
                    hint: "e.g. base_url: ${ETHERSCAN_BASE_URL:-https://api.etherscan.io/v2/api}")
            }
        }

        var apiKeyEnv: String?
        if let value = mapping.value("api_key_env"), let text = string(value, key: "api_key_env") {
            // Never quote the value: someone may have pasted the key itself here.
            if Self.isEnvironmentVariableName(text) {
                apiKeyEnv = text
            } else {
                report(
                    at: value.location, "api_key_env must be the name of an environment variable",
                    hint:
                        "write the variable's name (letters, digits, _), e.g. api_key_env: ETHERSCAN_API_KEY, never the key"
                )
                valid = false
            }
        }

        var rate: (perSecond: Double, perDay: Int?)?
        if let value = require(
            mapping, "rate_limit", context: context, example: "rate_limit: { per_second: 3, per_day: 100000 }",
            at: nameLocation)
        {
            rate = loadRateLimit(value, context: "rate_limit of \(context)")
        }

        var confirmations: Int?
        if let value = require(
            mapping, "confirmations", context: context, example: "confirmations: 12", at: nameLocation),
            let number = integer(value, key: "confirmations")
        {
            if number >= 0 {
                confirmations = number
            } else {
                report(
                    at: value.location, "confirmations must not be negative, found \(number)",
                    hint: "e.g. confirmations: 12")
            }
        }

        var maxInFlight: Int? = ChainSpec.defaultMaxInFlight
        if let value = mapping.value("max_in_flight") {
            maxInFlight = integer(value, key: "max_in_flight")
            if let number = maxInFlight, !(1...64).contains(number) {
                report(
                    at: value.location, "max_in_flight must be between 1 and 64, found \(number)",
                    hint: "e.g. max_in_flight: 8 (the default), or 1 to send one request at a time")
                maxInFlight = nil
            }
        }

        let tokens = mapping.value("tokens").map { loadTokens($0, context: context) } ?? []
        let accounts = mapping.value("accounts").map { loadAccounts($0) } ?? []

        guard valid, let chainID, let explorer, let baseURL, let rate, let confirmations, let tokens, let accounts,
            let maxInFlight
        else {
            return nil
        }
        return ChainSpec(
            name: name, chainID: chainID, explorer: explorer, baseURL: baseURL, apiKeyEnv: apiKeyEnv,
            ratePerSecond: rate.perSecond, ratePerDay: rate.perDay, confirmations: confirmations, tokens: tokens,
            accounts: accounts, location: nameLocation, maxInFlight: maxInFlight)
    }

    private mutating func loadRateLimit(_ node: ConfigNode, context: String) -> (perSecond: Double, perDay: Int?)? {
        let mapping = checkMapping(node, allowed: Self.rateLimitKeys, context: context)
        var perSecond: Double?
        if let value = require(mapping, "per_second", context: context, example: "per_second: 3"),
            let number = number(value, key: "per_second")
        {
            if number > 0 {
                perSecond = number
            } else {
                report(
                    at: value.location, "per_second must be greater than 0",
                    hint: "e.g. per_second: 3 (etherscan's free tier)")
            }
        }
        var perDay: Int?
        var perDayValid = true
        if let value = mapping.value("per_day") {
            perDay = integer(value, key: "per_day")
            if let number = perDay, number <= 0 {
                report(
                    at: value.location, "per_day must be greater than 0", hint: "e.g. per_day: 100000, or leave it out")
                perDay = nil
            }
            perDayValid = perDay != nil
        }
        guard let perSecond, perDayValid else { return nil }
        return (perSecond, perDay)
    }

    /// The tokens, or nil when any is invalid (all problems reported).
    private mutating func loadTokens(_ node: ConfigNode, context: String) -> [TrackedToken]? {
        guard
            let items = sequence(
                node, key: "tokens", example: "tokens: [{ address: \"0x…\", symbol: USDC, decimals: 6 }]")
        else { return nil }
        var tokens: [TrackedToken] = []
        var valid = true
        var seen: [String: SourceLocation] = [:]
        for (index, item) in items.enumerated() {
            let itemContext = "token \(index + 1) of \(context)"
            let mapping = checkMapping(item, allowed: Self.tokenKeys, context: itemContext)
            guard let value = require(mapping, "address", context: itemContext, example: "address: \"0x…\""),
                let address = address(value, key: "address")
            else {
                valid = false
                continue
            }
            if let first = seen[address] {
                report(
                    at: value.location, "token \(address) is listed twice (first at line \(first.line))",
                    hint: "remove one of the two")
                valid = false
            }
            seen[address] = seen[address] ?? value.location
            var symbol: String?
            if let value = mapping.value("symbol") {
                symbol = string(value, key: "symbol")
                if symbol == nil { valid = false }
            }
            var decimals: Int?
            if let value = mapping.value("decimals") {
                decimals = integer(value, key: "decimals")
                if let number = decimals, !(0...255).contains(number) {
                    report(
                        at: value.location, "decimals must be between 0 and 255, found \(number)",
                        hint: "e.g. decimals: 6 for USDC")
                    decimals = nil
                }
                if decimals == nil { valid = false }
            }
            tokens.append(TrackedToken(address: address, symbol: symbol, decimals: decimals))
        }
        return valid ? tokens : nil
    }

    /// The accounts, lowercased, or nil when any is invalid (all problems reported).
    private mutating func loadAccounts(_ node: ConfigNode) -> [String]? {
        guard let items = sequence(node, key: "accounts", example: "accounts: [\"0x…\"]") else { return nil }
        var accounts: [String] = []
        var valid = true
        var seen: [String: SourceLocation] = [:]
        for item in items {
            guard let address = address(item, key: "accounts") else {
                valid = false
                continue
            }
            if let first = seen[address] {
                report(
                    at: item.location, "account \(address) is listed twice (first at line \(first.line))",
                    hint: "remove one of the two")
                valid = false
                continue
            }
            seen[address] = item.location
            accounts.append(address)
        }
        return valid ? accounts : nil
    }

    static func isEnvironmentVariableName(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, !("0"..."9").contains(first) else { return false }
        return text.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_"
        }
    }
}
