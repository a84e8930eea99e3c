import Testing

@Test func placeholderChainETLPostgresTests() { #expect(1 + 1 == 2) }
