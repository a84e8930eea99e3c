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

    /// Options whose value may be a negative number, which ArgumentParser would take for a flag
    /// (`--jobs -3` gave "Missing value"); they reach validation as `--jobs=-3` instead.
    static let numericOptions: Set<String> = ["--jobs", "--diff-examples", "--fail-if-lag", "--low-day-share"]

    /// Joins `--jobs -3` into `--jobs=-3` so the option's own range check explains the problem.
    static func joiningNegativeNumbers(_ arguments: [String]) -> [String] {
        var result: [String] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            if numericOptions.contains(argument), index + 1 < arguments.count,
                let next = arguments[index + 1].first, next == "-", Double(arguments[index + 1]) != nil
            {
                result.append(argument + "=" + arguments[index + 1])
                index += 2
                continue
            }
            result.append(argument)
            index += 1
        }
        return result
    }
}
