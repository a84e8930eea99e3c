/// The stage kinds whose output as of day D reads the same stage's output of earlier days (the
/// rolling summaries: `token_summary_by_day` as of D sums the daily tables through D).
///
/// The runner's scheduler runs a unit of such a stage only after the same stage has finished (or
/// failed, or was not run) in every earlier partition of the run, so `--jobs N` builds the same
/// summaries as `--jobs 1` (docs/aggregates.md "Rolling summary"). Aggregate units are serialized
/// by an advisory lock anyway, so the order costs no parallelism among them.
public enum DayOrderedKinds {
    /// `aggregate` and `sql` (an aggregate file run on its own).
    public static let all: Set<String> = ["aggregate", "sql"]

    public static func contains(_ kind: String) -> Bool { all.contains(kind) }
}
