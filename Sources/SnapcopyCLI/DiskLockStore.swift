import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SnapcopyCore

/// The lock file on disk. A missing file means nothing is recorded yet; reading never creates it.
struct DiskLockStore: LockStore {
    var path: String
    /// Record encodings kept between saves, so each save re-encodes only what changed.
    var encodings = LockRecordEncodings()

    var location: String { path }

    func read() throws -> LockFile? {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return nil }
        guard !isDirectory.boolValue else {
            throw CommandFailure("snapcopy: \(path) is a directory, not a lock file\n  fix: pass --lock-file with the path of the lock file (for example \((path as NSString).appendingPathComponent("snapcopy.lock")))")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CommandFailure("snapcopy: \(path): the lock file cannot be read (\(String(cString: strerror(errno))))\n  fix: check the file's permissions")
        }
        do {
            return try LockFile.decode(Array(data), file: path)
        } catch {
            throw CommandFailure("snapcopy: \(error.description)")
        }
    }

    /// Writes atomically: see ``AtomicFile``. Encoding happens first, so a value that cannot be
    /// encoded leaves the file untouched.
    func save(_ lock: LockFile) throws {
        do {
            try AtomicFile.write(try lock.encoded(reusing: encodings), to: path)
        } catch let error as AtomicFile.Failure {
            throw JournalError(location: path, detail: error.description)
        } catch {
            throw JournalError(location: path, detail: "\(error)")
        }
    }
}
