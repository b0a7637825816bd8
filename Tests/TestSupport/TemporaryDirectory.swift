import Foundation

/// A fresh directory under the system's temporary directory.
public struct TemporaryDirectory: Sendable {
    public let url: URL

    /// Creates `<tmp>/<prefix>-<UUID>`.
    public init(prefix: String = "snapcopy-test") throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("\(prefix)-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: false)
    }

    /// The URL of `relativePath` inside the directory.
    public func appending(_ relativePath: String) -> URL {
        url.appendingPathComponent(relativePath)
    }

    /// Writes `text` as UTF-8 to `relativePath`, creating intermediate directories.
    @discardableResult
    public func write(_ text: String, to relativePath: String) throws -> URL {
        guard !relativePath.hasPrefix("/"), !relativePath.split(separator: "/").contains("..") else {
            throw TemporaryDirectoryError(description: "\(relativePath) is not inside \(url.path)")
        }
        let file = appending(relativePath)
        try FileManager.default.createDirectory(
            at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: file, options: .atomic)
        return file
    }

    /// The UTF-8 text of `relativePath`.
    public func read(_ relativePath: String) throws -> String {
        String(decoding: try Data(contentsOf: appending(relativePath)), as: UTF8.self)
    }

    /// Deletes the directory and everything in it.
    public func remove() throws {
        try FileManager.default.removeItem(at: url)
    }
}

public struct TemporaryDirectoryError: Error, CustomStringConvertible, Sendable {
    public let description: String
}

/// Runs `body` with a new temporary directory and removes it afterwards, even on error.
public func withTemporaryDirectory<Result>(
    prefix: String = "snapcopy-test",
    isolation: isolated (any Actor)? = #isolation,
    _ body: (TemporaryDirectory) async throws -> Result
) async throws -> Result {
    let directory = try TemporaryDirectory(prefix: prefix)
    defer { try? directory.remove() }
    return try await body(directory)
}

/// Runs `body` with a new temporary directory and removes it afterwards, even on error.
public func withTemporaryDirectory<Result>(
    prefix: String = "snapcopy-test",
    _ body: (TemporaryDirectory) throws -> Result
) throws -> Result {
    let directory = try TemporaryDirectory(prefix: prefix)
    defer { try? directory.remove() }
    return try body(directory)
}
