/// The one identifier quoting helper: every table, schema or column name built into SQL text
/// goes through here.
public enum SQLIdentifier {
    /// `name` as a quoted identifier: wrapped in double quotes, inner double quotes doubled.
    public static func quote(_ name: String) -> String {
        var quoted = "\""
        for scalar in name.unicodeScalars {
            if scalar == "\"" { quoted.unicodeScalars.append("\"") }
            quoted.unicodeScalars.append(scalar)
        }
        return quoted + "\""
    }

    /// A schema-qualified name, `"schema"."name"`.
    public static func quote(schema: String, _ name: String) -> String {
        quote(schema) + "." + quote(name)
    }
}
