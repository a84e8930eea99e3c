/// The migrations this build of chainetl knows, for commands that read the ledger without
/// migrating (`status`): a database with a higher version was migrated by a newer chainetl.
///
/// Bump `latestVersion` with every new `schemas/NNNN_*.sql`; `KnownMigrationsTests` fails when
/// it lags behind the folder.
public enum KnownMigrations {
    public static let latestVersion = 9
}
