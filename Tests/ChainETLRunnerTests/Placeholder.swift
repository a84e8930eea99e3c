import Testing

@Test func placeholderChainETLRunnerTests() { #expect(1 + 1 == 2) }
