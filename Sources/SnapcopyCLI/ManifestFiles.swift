import Foundation
import SnapcopyCore

/// Reads the manifest paths given on the command line: files, or directories read recursively
/// for `*.json` files in sorted order.
enum ManifestFiles {
    static func read(_ paths: [String]) throws -> [ManifestSource] {
        var sources: [ManifestSource] = []
        let fileManager = FileManager.default
        for path in paths {
            var isDirectory: ObjCBool = false
            guard fileManager.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw CommandFailure("snapcopy: \(path): no such file or directory\n  fix: give a manifest file or a directory of *.json manifests")
            }
            if isDirectory.boolValue {
                let found = try jsonFiles(under: path)
                if found.isEmpty {
                    throw CommandFailure("snapcopy: \(path): the directory holds no *.json manifests\n  fix: give a directory that contains manifests, or the manifest files themselves")
                }
                for file in found { sources.append(try read(file: file)) }
            } else {
                sources.append(try read(file: path))
            }
        }
        return sources
    }

    private static func read(file: String) throws -> ManifestSource {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw CommandFailure("snapcopy: \(file): cannot be read\n  fix: check the file's permissions")
        }
        return ManifestSource(path: file, contents: Array(data))
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
