extension SimulatorConfiguration {
    /// The simulated reorgs the server applies (kept in `generator`, which fixes every served byte).
    public var reorgs: [SimulatedReorg] {
        get { generator.reorgs }
        set { generator.reorgs = newValue }
    }
}
