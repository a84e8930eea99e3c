/// The version recorded in every manifest and run report.
public enum ChainETLVersion {
    public static let string = "0.1.0"
}
