import Foundation
import SnapcopyCore

/// Reads the lock file from disk. A missing file means nothing is recorded yet; reading never creates it.
struct LockFileStore {
    var path: String

    func read() throws -> LockFile? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CommandFailure("snapcopy: \(path): the lock file cannot be read\n  fix: check the file's permissions")
        }
        do {
            return try LockFile.decode(Array(data), file: path)
        } catch {
            throw CommandFailure("snapcopy: \(error.description)")
        }
    }
}
