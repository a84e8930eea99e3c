import ChainETLCore

/// What one partition load did.
package struct TransferLoadResult: Sendable, Equatable {
    /// Which way the load went.
    package enum Mode: String, Sendable {
        /// The ledger already records this checkpoint and the table still holds its rows: nothing ran.
        case unchanged
        /// The scope was empty: rows were streamed straight into the month partition.
        case firstLoad = "first-load"
        /// Rows were staged, the scope's stale rows removed and the new ones inserted.
        case replaced
    }

    package var mode: Mode
    /// Input lines read (for `unchanged`, the checkpoint's line count; nothing was read).
    package var rowsRead: Int
    package var inserted: Int
    /// Rows of the checkpoint that the table already held (from an earlier load or another pipeline).
    package var present: Int
    /// Rows of this scope removed because the checkpoint no longer has them (or has them changed).
    package var removed: Int
    /// Rows of chains this load does not cover.
    package var excluded: Int
    /// Rows of this scope the table holds after the load.
    package var held: Int
    /// NUL characters in text fields written as U+FFFD.
    package var replacedNULs: Int

    /// The manifest accounting: in = out (inserted) + duplicates (present) + excluded.
    package var counts: RowCounts {
        RowCounts(rowsIn: rowsRead, rowsOut: inserted, duplicates: present, excluded: excluded)
    }

    /// Facts for the manifest and the run report.
    package var details: [String: String] {
        var details = [
            "load.mode": mode.rawValue, "rows.removed": "\(removed)", "rows.held": "\(held)",
        ]
        if replacedNULs > 0 { details["text.nul_replaced"] = "\(replacedNULs)" }
        return details
    }
}
