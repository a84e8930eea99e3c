/// The migrations this build of chainetl knows, for commands that read the ledger without
/// migrating (`status`): a database with a higher version was migrated by a newer chainetl.
public enum KnownMigrations {
    /// The highest version built into the binary (`EmbeddedMigrations`, generated from `schemas/`).
    public static let latestVersion = EmbeddedMigrations.all.map(\.version).max() ?? 0
}
