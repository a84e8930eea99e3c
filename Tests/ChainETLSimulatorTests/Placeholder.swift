import Testing

@Test func placeholderChainETLSimulatorTests() { #expect(1 + 1 == 2) }
