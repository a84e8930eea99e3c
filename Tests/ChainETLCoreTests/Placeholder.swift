import Testing

@Test func placeholderChainETLCoreTests() { #expect(1 + 1 == 2) }
