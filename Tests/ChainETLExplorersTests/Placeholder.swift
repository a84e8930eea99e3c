import Testing

@Test func placeholderChainETLExplorersTests() { #expect(1 + 1 == 2) }
