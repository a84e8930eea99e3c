import Testing

@Test func placeholderChainETLStagesTests() { #expect(1 + 1 == 2) }
