/// The `stages:` section: ids, kinds, `with:` against each kind's schema, `needs:` and cycles.
extension PipelineLoader {
    static let stageKeys = ["id", "uses", "needs", "with"]
    /// `--select failed` means the stages that failed last time, so no stage may be called that.
    static let reservedStageIDs = ["failed"]

    /// One `needs:` entry with where it is written, for missing-dependency and cycle diagnostics.
    private struct Need {
        var id: String
        var location: SourceLocation
    }

    /// A stage as far as it could be read; `spec` is nil when a required part is invalid.
    private struct ReadStage {
        var id: String?
        var idLocation: SourceLocation?
        var needs: [Need]
        var spec: StageSpec?
    }

    mutating func loadStages(_ node: ConfigNode?, chainNames: [String]) -> [StageSpec] {
        guard let node,
            let items = sequence(node, key: "stages", example: "stages: then '- id: …' items indented under it")
        else { return [] }
        if items.isEmpty {
            report(
                at: node.location, "the pipeline declares no stages", hint: "add at least one '- id: …, uses: …' item")
        }
        var stages: [ReadStage] = []
        var firstDeclaration: [String: SourceLocation] = [:]
        for (index, item) in items.enumerated() {
            let stage = readStage(item, index: index, chainNames: chainNames)
            if let id = stage.id, let location = stage.idLocation {
                if let first = firstDeclaration[id] {
                    report(
                        at: location, "duplicate stage id '\(id)' (first declared at line \(first.line))",
                        hint: "stage ids must be unique; rename one of the two")
                    stages.append(ReadStage(id: nil, idLocation: nil, needs: stage.needs, spec: nil))
                    continue
                }
                firstDeclaration[id] = location
            }
            stages.append(stage)
        }
        checkNeeds(stages, declared: stages.compactMap(\.id))
        return stages.compactMap(\.spec)
    }

    private mutating func readStage(_ item: ConfigNode, index: Int, chainNames: [String]) -> ReadStage {
        let writtenID = item.node("id")?.scalarText
        let context = writtenID.map { "stage '\($0)'" } ?? "stage \(index + 1)"
        let mapping = checkMapping(item, allowed: Self.stageKeys, context: context)
        var stage = ReadStage(id: nil, idLocation: nil, needs: [], spec: nil)

        if let value = require(mapping, "id", context: context, example: "id: extract-logs"),
            let id = string(value, key: "id")
        {
            if !Self.isIdentifier(id) {
                report(
                    at: value.location, "invalid stage id \(quoted(value))",
                    hint: "use letters, digits, '_', '-' and '.', starting with a letter or digit")
            } else if Self.reservedStageIDs.contains(id) {
                report(
                    at: value.location, "the stage id '\(id)' is reserved for --select \(id)", hint: "choose another id"
                )
            } else {
                stage.id = id
                stage.idLocation = value.location
            }
        }

        var kind: String?
        var schema: StageParameterSchema?
        if let value = require(mapping, "uses", context: context, example: "uses: sql"),
            let text = string(value, key: "uses")
        {
            let kinds = catalog.knownKinds
            if kinds.contains(text) {
                kind = text
                schema = catalog.parameterSchema(forKind: text)
            } else {
                report(
                    at: value.location, "unknown stage kind \(quoted(value))",
                    hint: NearestName.hint(for: text, in: kinds, noun: "stage kind"))
            }
        }

        var needsValid = true
        if let value = mapping.value("needs") {
            if let items = sequence(value, key: "needs", example: "needs: [extract-logs]") {
                for item in items {
                    guard let id = string(item, key: "needs") else {
                        needsValid = false
                        continue
                    }
                    if let first = stage.needs.first(where: { $0.id == id }) {
                        report(
                            at: item.location,
                            "'\(id)' is listed twice in needs (first at line \(first.location.line))",
                            hint: "remove one of the two")
                        needsValid = false
                        continue
                    }
                    stage.needs.append(Need(id: id, location: item.location))
                }
            } else {
                needsValid = false
            }
        }

        var parameters = ConfigNode(value: .mapping([]), location: item.location)
        var parametersValid = true
        if let value = mapping.value("with") {
            if case .mapping = value.value {
                parameters = value
                parametersValid = reportDuplicateKeys(in: value, depth: 0)
                if let kind, let schema {
                    let conforms = checkParameters(value, schema: schema, kind: kind, chainNames: chainNames)
                    parametersValid = parametersValid && conforms
                }
            } else {
                report(
                    at: value.location, "expected a mapping for 'with', found \(describe(value))",
                    hint: "write the stage's parameters as 'name: value' lines indented under 'with:'")
                parametersValid = false
            }
        }
        if let kind, let schema, mapping.value("with") == nil {
            parametersValid = checkParameters(parameters, schema: schema, kind: kind, chainNames: chainNames)
        }

        if let id = stage.id, let kind, needsValid, parametersValid {
            stage.spec = StageSpec(
                id: id, kind: kind, needs: stage.needs.map(\.id), parameters: parameters, location: item.location)
        }
        return stage
    }

    /// Reports keys repeated in `node` or any mapping nested in it; true when there are none.
    ///
    /// YAML itself forbids repeated keys; the reader lets them through so that all of them are
    /// reported here, with their lines, instead of stopping at the first.
    private mutating func reportDuplicateKeys(in node: ConfigNode, depth: Int) -> Bool {
        var valid = true
        switch node.value {
        case .mapping(let pairs):
            var seen: [String: SourceLocation] = [:]
            for pair in pairs {
                if let first = seen[pair.key] {
                    let noun = depth == 0 ? "parameter" : "key"
                    report(
                        at: pair.keyLocation, "duplicate \(noun) '\(pair.key)' (first at line \(first.line))",
                        hint: "remove one of the two")
                    valid = false
                } else {
                    seen[pair.key] = pair.keyLocation
                }
                valid = reportDuplicateKeys(in: pair.value, depth: depth + 1) && valid
            }
        case .sequence(let items):
            for item in items { valid = reportDuplicateKeys(in: item, depth: depth + 1) && valid }
        case .scalar, .null:
            break
        }
        return valid
    }

    /// Checks a stage's `with:` against its kind's schema; true when it conforms.
    private mutating func checkParameters(
        _ node: ConfigNode, schema: StageParameterSchema, kind: String, chainNames: [String]
    ) -> Bool {
        let before = diagnostics.count
        let names = schema.parameters.map(\.name)
        guard case .mapping(let pairs) = node.value else { return true }
        var seen: Set<String> = []
        for pair in pairs {
            // Repeated keys are reported by `reportDuplicateKeys`; the first one counts.
            guard seen.insert(pair.key).inserted else { continue }
            guard let parameter = schema.parameter(named: pair.key) else {
                let hint =
                    names.isEmpty
                    ? "stage kind '\(kind)' takes no parameters; remove 'with:'"
                    : NearestName.hint(for: pair.key, in: names, noun: "parameter")
                report(at: pair.keyLocation, "unknown parameter '\(pair.key)' for stage kind '\(kind)'", hint: hint)
                continue
            }
            // A null value counts as absent: optional ones are fine, required ones are reported below.
            if pair.value.isNull { continue }
            guard accepts(pair.value, parameter.type, key: pair.key) else { continue }
            checkChainNames(pair.value, type: parameter.type, key: pair.key, chainNames: chainNames)
        }
        for parameter in schema.parameters where parameter.required && node.node(parameter.name) == nil {
            report(
                at: node.location, "missing required parameter '\(parameter.name)' for stage kind '\(kind)'",
                hint: "add under 'with:' \(parameter.type.example(parameter.name)) (\(parameter.description))")
        }
        return diagnostics.count == before
    }

    private mutating func checkChainNames(
        _ node: ConfigNode, type: StageParameterType, key: String, chainNames: [String]
    ) {
        let named: [ConfigNode]
        switch (type, node.value) {
        case (.chain, .scalar): named = [node]
        case (.chainList, .sequence(let items)): named = items
        default: return
        }
        for item in named {
            guard let name = item.scalarText, !failedScalars.contains(item.location), !chainNames.contains(name) else {
                continue
            }
            report(
                at: item.location, "unknown chain \(quoted(item)) in '\(key)'",
                hint: NearestName.hint(for: name, in: chainNames, noun: "chain"))
        }
    }

    /// Reports `needs:` entries naming no stage, then every dependency cycle among the rest.
    private mutating func checkNeeds(_ stages: [ReadStage], declared: [String]) {
        var edges: [(id: String, needs: [String])] = []
        var needLocations: [String: [String: SourceLocation]] = [:]
        for stage in stages {
            for need in stage.needs where !declared.contains(need.id) {
                let owner = stage.id.map { "stage '\($0)'" } ?? "this stage"
                let hint =
                    NearestName.nearest(to: need.id, in: declared).map { "did you mean '\($0)'?" }
                    ?? "declare a stage with 'id: \(need.id)' or remove it from needs"
                report(
                    at: need.location, "\(owner) needs '\(need.id)', which is not a stage of this pipeline", hint: hint)
            }
            guard let id = stage.id else { continue }
            let known = stage.needs.filter { declared.contains($0.id) }
            edges.append((id, known.map(\.id)))
            needLocations[id] = Dictionary(known.map { ($0.id, $0.location) }, uniquingKeysWith: { first, _ in first })
        }
        for cycle in StageGraph.cycles(edges) {
            guard cycle.count >= 2, let location = needLocations[cycle[0]]?[cycle[1]] else { continue }
            report(
                at: location, "dependency cycle: \(cycle.joined(separator: " -> ")) (each stage needs the next)",
                hint: "remove one of these needs so the stages can run in order")
        }
    }
}
