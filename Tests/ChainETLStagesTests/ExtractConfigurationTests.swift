import ChainETLCore
import ChainETLExplorers
import Foundation
import Testing

@testable import ChainETLStages

@Suite("Extract stages: with: parameters")
struct ExtractConfigurationTests {
    static let usdc = TrackedToken(address: "0x" + String(repeating: "a", count: 40), symbol: "USDC", decimals: 6)
    static let weth = TrackedToken(address: "0x" + String(repeating: "b", count: 40), symbol: "WETH", decimals: 18)
    static let account = "0x" + String(repeating: "c", count: 40)

    static func chain(
        _ name: String, explorer: ExplorerKind = .etherscan, tokens: [TrackedToken] = [usdc, weth],
        accounts: [String] = []
    ) -> ChainSpec {
        ChainSpec(
            name: name, chainID: 1, explorer: explorer, baseURL: "https://api.example.org/v2/api",
            apiKeyEnv: "KEY", ratePerSecond: 5, ratePerDay: nil, confirmations: 12, tokens: tokens,
            accounts: accounts, location: ExtractFixture.location)
    }

    static func configuration(
        _ kind: ExtractKind, chains: [ChainSpec], with values: [(String, Any)] = []
    ) throws -> ExtractConfiguration {
        let (pipeline, spec) = ExtractFixture.pipeline(chains: chains, kind: kind, with: values)
        return try ExtractConfiguration(kind: kind, spec: spec, pipeline: pipeline)
    }

    static func diagnostic(_ body: () throws -> ExtractConfiguration) -> String {
        do {
            _ = try body()
            Issue.record("expected a ConfigDiagnostic")
            return ""
        } catch let diagnostic as ConfigDiagnostic {
            return diagnostic.description
        } catch {
            Issue.record("expected a ConfigDiagnostic, got \(error)")
            return ""
        }
    }

    @Test func defaultsReadEveryMatchingChainEveryTokenAndFullPages() throws {
        let configuration = try Self.configuration(
            .etherscanLogs, chains: [Self.chain("ethereum"), Self.chain("gnosis", explorer: .blockscout)])
        #expect(configuration.offset == 1000)
        #expect(configuration.chains.map(\.chain.name) == ["ethereum"])
        let targets = try #require(configuration.chains.first).targets
        #expect(targets.map(\.contract) == [Self.usdc.address, Self.weth.address])
        #expect(targets.allSatisfy { $0.address == nil })
        #expect(configuration.chains.first?.source == .etherscanLogs)
    }

    @Test func tokentxWalksTokenAccountPairsAccountsAloneOrContracts() throws {
        let pairs = try Self.configuration(
            .etherscanTokenTransfers, chains: [Self.chain("ethereum", accounts: [Self.account])],
            with: [("tokens", ["WETH"])])
        let pair = try #require(pairs.chains.first?.targets.first)
        #expect(pairs.chains.first?.targets.count == 1)
        #expect(pair.contract == Self.weth.address && pair.address == Self.account)

        let accountsOnly = try Self.configuration(
            .etherscanTokenTransfers, chains: [Self.chain("ethereum", tokens: [], accounts: [Self.account])])
        #expect(accountsOnly.chains.first?.targets.map(\.address) == [Self.account])
        #expect(accountsOnly.chains.first?.targets.first?.contract == nil)

        let override = try Self.configuration(
            .etherscanTokenTransfers, chains: [Self.chain("ethereum")],
            with: [("accounts", [Self.account.uppercased().replacingOccurrences(of: "0X", with: "0x")])])
        #expect(override.chains.first?.targets.count == 2)
        #expect(override.chains.first?.targets.allSatisfy { $0.address == Self.account } == true)
    }

    @Test func blockscoutModesPickTheEndpoint() throws {
        let chains = [Self.chain("gnosis", explorer: .blockscout)]
        #expect(try Self.configuration(.blockscout, chains: chains).chains.first?.source == .blockscoutTokenTransfers)
        #expect(
            try Self.configuration(.blockscout, chains: chains, with: [("mode", "logs")]).chains.first?.source
                == .blockscoutLogs)
        #expect(
            try Self.configuration(.blockscout, chains: chains, with: [("mode", "v2")]).chains.first?.source
                == .blockscoutV2)
        let unknown = Self.diagnostic { try Self.configuration(.blockscout, chains: chains, with: [("mode", "v3")]) }
        #expect(unknown.contains("unknown blockscout mode 'v3'"))
        #expect(unknown.contains("hint: write mode: tokentx, mode: logs or mode: v2"))
        let offset = Self.diagnostic {
            try Self.configuration(.blockscout, chains: chains, with: [("mode", "v2"), ("offset", 100)])
        }
        #expect(offset.contains("offset cannot be used with mode: v2"))
        let accounts = Self.diagnostic {
            try Self.configuration(.blockscout, chains: chains, with: [("mode", "logs"), ("accounts", [Self.account])])
        }
        #expect(accounts.contains("accounts cannot be used with mode: logs"))
    }

    @Test func badParametersAreLocatedDiagnosticsWithHints() throws {
        let ethereum = Self.chain("ethereum")
        let offset = Self.diagnostic {
            try Self.configuration(.etherscanLogs, chains: [ethereum], with: [("offset", 5000)])
        }
        #expect(offset.hasPrefix("test.yaml:1:1: error: offset must be between 1 and 1000, got 5000"))
        let kind = Self.diagnostic {
            try Self.configuration(
                .etherscanLogs, chains: [ethereum, Self.chain("gnosis", explorer: .blockscout)],
                with: [("chains", ["gnosis"])])
        }
        #expect(kind.contains("chain gnosis uses explorer blockscout, but extract/etherscan-logs reads etherscan"))
        #expect(kind.contains("hint: read it with uses: extract/blockscout"))
        let token = Self.diagnostic {
            try Self.configuration(.etherscanLogs, chains: [ethereum], with: [("tokens", ["USDT"])])
        }
        #expect(token.contains("token 'USDT' is not tracked on any selected chain (ethereum)"))
        let none = Self.diagnostic { try Self.configuration(.blockscout, chains: [ethereum]) }
        #expect(none.contains("no chain declares explorer: blockscout"))
        let empty = Self.diagnostic {
            try Self.configuration(.etherscanLogs, chains: [Self.chain("ethereum", tokens: [])])
        }
        #expect(empty.contains("chain ethereum tracks no tokens, so stage extract has nothing to extract"))
        let badAccount = Self.diagnostic {
            try Self.configuration(.etherscanTokenTransfers, chains: [ethereum], with: [("accounts", ["0x12"])])
        }
        #expect(badAccount.contains("account '0x12' is not a 0x-prefixed 20-byte address"))
    }

    @Test func aTokenListNamingTokensOfOneChainLeavesTheOtherChainOut() throws {
        let other = Self.chain("optimism", tokens: [Self.weth])
        let configuration = try Self.configuration(
            .etherscanLogs, chains: [Self.chain("ethereum", tokens: [Self.usdc]), other],
            with: [("tokens", [Self.usdc.address.uppercased().replacingOccurrences(of: "0X", with: "0x")])])
        #expect(configuration.chains.map(\.chain.name) == ["ethereum"])
    }

    @Test func anOpenDayClosingEstimateUsesTheDaysBlockPace() throws {
        let day = PartitionDay("2026-11-20")!
        // Noon, 3,600 blocks so far at 12 s each, 12 confirmations still to come after midnight.
        let range = DayBlockRange(day: day, firstBlock: 1_000, lastBlock: 4_599)
        let noon = Date(timeIntervalSince1970: TimeInterval(day.startUnixSeconds + 43_200))
        #expect(
            DayExtraction.closingEstimate(range: range, head: 4_600, confirmations: 12, now: noon)
                == "2026-11-21T00:02:24Z (12 more blocks at about 12 s each)")
        // After midnight: 7,200 blocks in the day, the head 5 blocks short of the confirmations.
        let full = DayBlockRange(day: day, firstBlock: 1_000, lastBlock: 8_199)
        let later = Date(timeIntervalSince1970: TimeInterval(day.endUnixSeconds + 84))
        #expect(
            DayExtraction.closingEstimate(range: full, head: 8_206, confirmations: 12, now: later)
                == "2026-11-21T00:02:24Z (5 more blocks at about 12 s each)")
    }
}
