import Foundation

/// The `snapcopy` executable was not found in any of the places searched.
public struct SnapcopyBinaryNotFound: Error, CustomStringConvertible, Sendable {
    public let searched: [String]

    public var description: String {
        "snapcopy executable not found; looked at:\n"
            + searched.map { "  \($0)" }.joined(separator: "\n")
            + "\nBuild it (`swift build --product snapcopy`) or set SNAPCOPY_BINARY to its path."
    }
}

/// The built `snapcopy` executable, looked for in this order:
/// `SNAPCOPY_BINARY` in `environment` (if set, it must be right); the directory of the
/// running test binary or `.xctest` bundle (the build directory of this very build, so
/// `--scratch-path` works); `<package>/.build/debug/snapcopy` next to this source file.
public func snapcopyBinary(
    environment: [String: String] = ProcessInfo.processInfo.environment,
    filePath: String = #filePath
) throws -> URL {
    let fileManager = FileManager.default
    if let explicit = environment["SNAPCOPY_BINARY"], !explicit.isEmpty {
        guard fileManager.isExecutableFile(atPath: explicit) else {
            throw SnapcopyBinaryNotFound(searched: ["SNAPCOPY_BINARY=\(explicit) (not an executable file)"])
        }
        return URL(fileURLWithPath: explicit)
    }

    var directories: [URL] = []
    if let executable = Bundle.main.executableURL {
        directories.append(executable.resolvingSymlinksInPath().deletingLastPathComponent())
    }
    for bundle in Bundle.allBundles where bundle.bundleURL.pathExtension == "xctest" {
        directories.append(bundle.bundleURL.deletingLastPathComponent())
    }
    if let argument = CommandLine.arguments.first, argument.contains("/") {
        directories.append(URL(fileURLWithPath: argument).resolvingSymlinksInPath().deletingLastPathComponent())
    }
    let packageRoot = URL(fileURLWithPath: filePath)
        .deletingLastPathComponent()  // TestSupport
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()
    directories.append(packageRoot.appendingPathComponent(".build/debug"))

    var searched: [String] = []
    for directory in directories {
        let candidate = directory.appendingPathComponent("snapcopy").standardizedFileURL
        guard !searched.contains(candidate.path) else { continue }
        searched.append(candidate.path)
        var isDirectory: ObjCBool = false
        if fileManager.fileExists(atPath: candidate.path, isDirectory: &isDirectory),
           !isDirectory.boolValue, fileManager.isExecutableFile(atPath: candidate.path) {
            return candidate
        }
    }
    throw SnapcopyBinaryNotFound(searched: searched)
}
