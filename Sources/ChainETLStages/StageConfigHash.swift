import ChainETLCore

/// The config hash recorded in a stage's manifest: the pipeline's hash of the stage's declaration
/// (`PipelineSpec.configHash(forStage:)`) extended with the stage's `configurationInputs`.
public enum StageConfigHash {
    /// The `with:` key the inputs are hashed under; no stage schema declares it, so no pipeline
    /// file can collide with it.
    static let inputsKey = "(configuration inputs)"

    public static func of(_ stage: any Stage, spec: StageSpec, pipeline: PipelineSpec) -> String {
        pipeline.configHash(forStage: extended(spec, with: stage.configurationInputs))
    }

    /// The hash's pieces by name (`PipelineSpec.configParts(forStage:)`), each configuration
    /// input as `input.<name>`.
    public static func parts(of stage: any Stage, spec: StageSpec, pipeline: PipelineSpec) -> [String: String] {
        let inputs = stage.configurationInputs
        var parts = pipeline.configParts(forStage: spec)
        for (key, value) in inputs {
            // Each input on its own: the declaration extended by that input alone.
            let single = pipeline.configParts(forStage: extended(spec, with: [key: value]))
            parts["input.\(key)"] = single["with.\(inputsKey)"]
        }
        return parts
    }

    /// `spec` with the stage's configuration inputs added under `inputsKey` of its `with:`.
    private static func extended(_ spec: StageSpec, with inputs: [String: String]) -> StageSpec {
        guard !inputs.isEmpty else { return spec }
        let location = spec.location
        let inputPairs = inputs.keys.sorted().map { key in
            (key: key, keyLocation: location, value: ConfigNode(value: .scalar(inputs[key]!), location: location))
        }
        var pairs: [(key: String, keyLocation: SourceLocation, value: ConfigNode)] = []
        if case .mapping(let declared) = spec.parameters.value { pairs = declared }
        pairs.append((inputsKey, location, ConfigNode(value: .mapping(inputPairs), location: location)))
        var extended = spec
        extended.parameters = ConfigNode(value: .mapping(pairs), location: spec.parameters.location)
        return extended
    }
}
