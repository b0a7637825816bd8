import Foundation
import SnapcopyCore

/// Reads the manifest paths given on the command line: files, or directories read recursively
/// for `*.json` files in sorted order.
enum ManifestFiles {
    /// The largest manifest file read: 16 MiB holds about 60,000 entries, far beyond any account's
    /// snapshot quota, so a larger file is a mistake (a capture, a dump) and is refused before parsing.
    static let maximumFileSize = 16 << 20

    /// `-` (or `/dev/stdin`) reads standard input. A file given twice, or a file and a folder that
    /// holds it, is read once.
    static func read(_ paths: [String]) throws -> [ManifestSource] {
        var sources: [ManifestSource] = []
        var seen = Set<String>()
        let fileManager = FileManager.default
        func add(_ file: String) throws {
            guard seen.insert(realPath(file)).inserted else { return }
            sources.append(try read(file: file))
        }
        for path in paths {
            if path == "-" || path == "/dev/stdin" {
                guard seen.insert("/dev/stdin").inserted else { continue }
                sources.append(try read(handle: FileHandle.standardInput, named: "<stdin>"))
                continue
            }
            var isDirectory: ObjCBool = false
            guard fileManager.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw CommandFailure("snapcopy: \(path): no such file or directory\n  fix: give a manifest file or a directory of *.json manifests (or - for standard input)")
            }
            if isDirectory.boolValue {
                let found = try jsonFiles(under: path)
                if found.isEmpty {
                    throw CommandFailure("snapcopy: \(path): the directory holds no *.json manifests\n  fix: give a directory that contains manifests, or the manifest files themselves")
                }
                for file in found { try add(file) }
            } else {
                try add(path)
            }
        }
        return sources
    }

    /// The file's path with symbolic links and `.`/`..` resolved, to tell when two paths name one file.
    static func realPath(_ path: String) -> String {
        guard let resolved = realpath(path, nil) else { return (path as NSString).standardizingPath }
        defer { free(resolved) }
        return String(decoding: UnsafeRawBufferPointer(start: resolved, count: strlen(resolved)), as: UTF8.self)
    }

    private static func read(file: String) throws -> ManifestSource {
        guard let handle = FileHandle(forReadingAtPath: file) else {
            throw CommandFailure("snapcopy: \(file): cannot be read (\(String(cString: strerror(errno))))\n  fix: check the file's permissions")
        }
        defer { try? handle.close() }
        return try read(handle: handle, named: file)
    }

    /// Reads at most ``maximumFileSize`` bytes, refusing a longer input.
    private static func read(handle: FileHandle, named name: String) throws -> ManifestSource {
        let data: Data
        do {
            data = try handle.read(upToCount: maximumFileSize + 1) ?? Data()
        } catch {
            throw CommandFailure("snapcopy: \(name): cannot be read (\(error.localizedDescription))\n  fix: check that it is a readable file")
        }
        guard data.count <= maximumFileSize else {
            throw CommandFailure("snapcopy: \(name): the manifest is larger than \(maximumFileSize >> 20) MiB, which no manifest needs (is it a capture or a dump?)\n"
                + "  fix: give the manifest files themselves; split very many copies over several files in a folder, or describe them with rules")
        }
        return ManifestSource(path: name, contents: Array(data))
    }

    /// The `*.json` regular files below `directory`, recursively, in sorted order.
    static func jsonFiles(under directory: String) throws -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: directory) else {
            throw CommandFailure("snapcopy: \(directory): the directory cannot be read")
        }
        var files: [String] = []
        while let relative = enumerator.nextObject() as? String {
            guard relative.hasSuffix(".json") else { continue }
            let full = (directory as NSString).appendingPathComponent(relative)
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory), !isDirectory.boolValue {
                files.append(full)
            }
        }
        return files.sorted()
    }
}
