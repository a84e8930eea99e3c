import ArgumentParser

/// `--database-url`, shared by the subcommands that reach PostgreSQL.
struct DatabaseOptions: ParsableArguments {
    @Option(
        name: .customLong("database-url"), help: "PostgreSQL URL (default: DATABASE_URL, then libpq's PG* variables).")
    var url: String?
}
