/// The command line as recorded in the ledger and reports: database URLs are never kept.
enum CommandLineArguments {
    static func redacted(_ arguments: [String]) -> [String] {
        var result: [String] = []
        var hideNext = false
        for argument in arguments {
            if hideNext {
                result.append("***")
                hideNext = false
            } else if argument == "--database-url" {
                result.append(argument)
                hideNext = true
            } else if argument.hasPrefix("--database-url=") {
                result.append("--database-url=***")
            } else {
                result.append(argument)
            }
        }
        return result
    }
}
