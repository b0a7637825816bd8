import Foundation
#if canImport(Glibc)
import Glibc
#endif
import SnapcopyCore

/// Reads and writes the lock file on disk. A missing file means nothing is recorded yet; reading never creates it.
struct LockFileStore: Sendable {
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

    /// Writes atomically: a temporary file in the same directory, fsync, rename over the old file,
    /// fsync the directory. A crash at any instant leaves either the old or the new file.
    func write(_ lock: LockFile) throws {
        let bytes = lock.encoded()
        let directory = (path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent
        let temporary = (directory as NSString).appendingPathComponent(".\((path as NSString).lastPathComponent).\(getpid()).tmp")
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw CommandFailure("snapcopy: cannot write \(temporary): \(String(cString: strerror(errno)))") }
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                let message = String(cString: strerror(errno))
                close(fd)
                unlink(temporary)
                throw CommandFailure("snapcopy: cannot write \(temporary): \(message)")
            }
            offset += written
        }
        guard fsync(fd) == 0 else {
            let message = String(cString: strerror(errno))
            close(fd)
            unlink(temporary)
            throw CommandFailure("snapcopy: cannot sync \(temporary): \(message)")
        }
        close(fd)
        guard rename(temporary, path) == 0 else {
            let message = String(cString: strerror(errno))
            unlink(temporary)
            throw CommandFailure("snapcopy: cannot replace \(path): \(message)")
        }
        let directoryFD = open(directory, O_RDONLY)
        if directoryFD >= 0 {
            fsync(directoryFD)
            close(directoryFD)
        }
    }
}

/// An exclusive advisory lock (`flock`) held for a whole apply, on `<lock file>.lock`, which also
/// names its holder (pid, host, start time) for whoever is refused.
final class ApplyLock: @unchecked Sendable {
    private let fd: Int32
    let path: String

    private init(fd: Int32, path: String) {
        self.fd = fd
        self.path = path
    }

    /// Takes the lock, or fails at once naming the holder; with a timeout, waits up to that long.
    static func acquire(lockFile: String, timeout: Duration?, startedAt: Date) async throws -> ApplyLock {
        let path = lockFile + ".lock"
        let fd = open(path, O_RDWR | O_CREAT, 0o644)
        guard fd >= 0 else {
            throw CommandFailure("snapcopy: cannot open \(path): \(String(cString: strerror(errno)))")
        }
        let clock = ContinuousClock()
        let deadline = timeout.map { clock.now.advanced(by: $0) }
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            if let deadline, clock.now < deadline {
                try await Task.sleep(for: .milliseconds(100))
                continue
            }
            let holder = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            close(fd)
            throw CommandFailure("""
                snapcopy: another apply holds \(lockFile) (\(holder.isEmpty ? "holder unknown" : holder))
                  fix: wait for it to finish, or pass --lock-timeout DURATION to wait for it (for example --lock-timeout 10m)
                """)
        }
        var host = [CChar](repeating: 0, count: 256)
        gethostname(&host, host.count)
        let holder = "pid \(getpid()) on \(String(cString: host)), started \(Timestamp.format(startedAt))\n"
        ftruncate(fd, 0)
        _ = holder.withCString { pwrite(fd, $0, strlen($0), 0) }
        return ApplyLock(fd: fd, path: path)
    }

    func release() {
        ftruncate(fd, 0)
        flock(fd, LOCK_UN)
        close(fd)
    }
}
