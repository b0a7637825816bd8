import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SnapcopyCore

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
