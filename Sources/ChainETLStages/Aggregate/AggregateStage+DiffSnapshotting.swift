/// The aggregate stage reports the change in each daily aggregate of its day (rerun diff):
/// `transfer_count` and `volume_raw` of `daily_token_volume`, before and after its transaction.
extension AggregateStage: DiffSnapshotting {
    public func diffSnapshot(_ context: StageContext) throws -> [String: String] {
        try DailyTokenVolumeSnapshot.take(context)
    }
}
