import Foundation

/// Plain lines on stderr, for commands that print results rather than logs.
enum FileHandleOutput {
    static func standardError(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
