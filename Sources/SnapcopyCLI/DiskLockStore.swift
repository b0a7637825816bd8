import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SnapcopyCore

/// POSIX `write(2)` and `close(2)`, named apart from the methods that would shadow them.
#if canImport(Glibc)
private let systemWrite = Glibc.write
private let systemClose = Glibc.close
#elseif canImport(Darwin)
private let systemWrite = Darwin.write
private let systemClose = Darwin.close
#endif

/// The lock file on disk. A missing file means nothing is recorded yet; reading never creates it.
///
/// With `journaling` (apply), saves after the first append their changed records to
/// `<lock file>.journal` (one line and one fsync each) instead of rewriting the whole file, which
/// made an apply of N copies write O(N²) bytes; the journal is folded into the lock file when it
/// outgrows it and at ``checkpoint(_:)``. Reading replays a journal left by a run that stopped.
struct DiskLockStore: LockStore {
    var path: String
    /// Whether saves may append to a journal file (only a command holding the apply lock writes).
    var journaling = false
    /// Record encodings kept between saves, so each save re-encodes only what changed.
    var encodings = LockRecordEncodings()
    /// The open journal file, once the first save began one.
    private let journal = OpenJournal()

    init(path: String, journaling: Bool = false) {
        self.path = path
        self.journaling = journaling
    }

    var location: String { path }
    /// Where the journal file is.
    var journalPath: String { JournalFile.path(besideLockFile: path) }

    /// The lock file with any journal left beside it replayed (nothing is written).
    func read() throws -> LockFile? {
        try readReplaying().lock
    }

    /// The lock file and, when a journal was left beside it, how many of its saves were replayed.
    func readReplaying() throws -> (lock: LockFile?, replayed: Int, hasJournal: Bool) {
        // A reader that is not holding the apply lock can see a lock file and a journal from two
        // different moments of a fold; the fold finishes in milliseconds, so read again.
        var attempt = 0
        while true {
            attempt += 1
            let lock = try readLockFile()
            guard let contents = try readFile(journalPath, what: "journal") else { return (lock, 0, false) }
            do {
                let replay = try JournalFile.replay(contents, file: journalPath, over: lock, lockFile: path)
                return (replay.lock, replay.applied, true)
            } catch let gap as JournalFile.Gap {
                if attempt < 5 {
                    usleep(20_000)
                    continue
                }
                throw CommandFailure("snapcopy: \(JournalFile.gapError(gap, file: journalPath, lockFile: path).description)")
            } catch let error as LockFileError {
                throw CommandFailure("snapcopy: \(error.description)")
            }
        }
    }

    /// Folds a journal left by a run that stopped before it finished into the lock file, so the
    /// file about to be committed holds everything; returns the lock file and how many saves it folded.
    func readFoldingLeftoverJournal() throws -> (lock: LockFile?, folded: Int) {
        let (lock, replayed, hasJournal) = try readReplaying()
        guard hasJournal, let lock else { return (lock, 0) }
        do {
            try writeWhole(lock)
            try removeJournal()
        } catch let error as JournalError {
            throw CommandFailure("snapcopy: \(error.description)\n  fix: \(error.fix)")
        }
        return (lock, replayed)
    }

    /// Folds a leftover journal (see ``readFoldingLeftoverJournal()``), telling `console` when there was one.
    @discardableResult
    func foldLeftoverJournal(telling console: Console) throws -> LockFile? {
        let (lock, folded) = try readFoldingLeftoverJournal()
        if folded > 0 {
            console.error("snapcopy: \(journalPath) was left by a run that stopped before it finished; its \(folded) \(folded == 1 ? "save was" : "saves were") folded into \(path)")
        }
        return lock
    }

    private func readLockFile() throws -> LockFile? {
        guard let data = try readFile(path, what: "lock file") else { return nil }
        do {
            return try LockFile.decode(data, file: path)
        } catch {
            throw CommandFailure("snapcopy: \(error.description)")
        }
    }

    /// The bytes of `file`, or nil when there is none.
    private func readFile(_ file: String, what: String) throws -> [UInt8]? {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: file, isDirectory: &isDirectory) else { return nil }
        guard !isDirectory.boolValue else {
            throw CommandFailure("snapcopy: \(file) is a directory, not a \(what)\n  fix: pass --lock-file with the path of the lock file (for example \((path as NSString).appendingPathComponent("snapcopy.lock")))")
        }
        guard let data = FileManager.default.contents(atPath: file) else {
            if !FileManager.default.fileExists(atPath: file) { return nil }  // removed meanwhile (a fold)
            throw CommandFailure("snapcopy: \(file): the \(what) cannot be read (\(String(cString: strerror(errno))))\n  fix: check the file's permissions")
        }
        return Array(data)
    }

    // MARK: - Saving

    /// Writes atomically: see ``AtomicFile``. Encoding happens first, so a value that cannot be
    /// encoded leaves the file untouched.
    func save(_ lock: LockFile) throws {
        try writeWhole(lock)
        try removeJournal()
    }

    /// Appends the changed records to the journal when one is open and still smaller than the lock
    /// file (plus 1 MiB); otherwise writes the whole lock file and, when journaling, begins a new journal.
    func save(_ lock: LockFile, changed: Set<CopyIdentity>) throws {
        guard journaling else { return try save(lock) }
        if journal.isOpen, journal.appended < max(encodings.lastSize, 1 << 20) {
            let line: [UInt8]
            do {
                line = try JournalFile.line(JournalFile.Entry(saving: lock, changed: changed))
            } catch {
                throw JournalError(location: journalPath, detail: error.description)
            }
            try journal.append(line, path: journalPath)
            return
        }
        try writeWhole(lock)
        let header: [UInt8]
        do {
            header = try JournalFile.line(JournalFile.Header(lineage: lock.lineage, base: lock.serial))
        } catch {
            throw JournalError(location: journalPath, detail: error.description)
        }
        try journal.begin(header, path: journalPath)
    }

    /// Writes the whole lock file and removes the journal, when one was begun or left behind.
    func checkpoint(_ lock: LockFile) throws {
        guard journal.isOpen || FileManager.default.fileExists(atPath: journalPath) else { return }
        try save(lock)
    }

    private func writeWhole(_ lock: LockFile) throws {
        do {
            try AtomicFile.write(try lock.encoded(reusing: encodings), to: path)
        } catch let error as AtomicFile.Failure {
            throw JournalError(location: path, detail: error.description)
        } catch {
            throw JournalError(location: path, detail: "\(error)")
        }
    }

    /// Removes the journal after the lock file holding everything in it was written: a crash
    /// before the removal leaves saves the lock file already holds, which a read skips.
    private func removeJournal() throws {
        journal.close()
        guard unlink(journalPath) == 0 else {
            guard errno == ENOENT else {
                throw JournalError(location: journalPath, detail: "cannot remove it: \(String(cString: strerror(errno)))")
            }
            return
        }
        AtomicFile.syncDirectory(of: journalPath)
    }
}

/// The journal file a ``DiskLockStore`` appends to, shared by the store's copies.
private final class OpenJournal: @unchecked Sendable {
    private let lock = NSLock()
    private var fd: Int32 = -1
    private var bytes = 0

    var isOpen: Bool { lock.withLock { fd >= 0 } }
    /// Bytes appended since the journal began.
    var appended: Int { lock.withLock { bytes } }

    /// Creates (or empties) the journal with `header` as its first line, durably, directory included.
    func begin(_ header: [UInt8], path: String) throws {
        try lock.withLock {
            if fd >= 0 { systemClose(fd); fd = -1 }
            let opened = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0o644)
            guard opened >= 0 else { throw failure("create", path) }
            fd = opened
            bytes = 0
            try write(header, path: path)
            AtomicFile.syncDirectory(of: path)
        }
    }

    /// Appends `line` and syncs it before returning.
    func append(_ line: [UInt8], path: String) throws {
        try lock.withLock { try write(line, path: path) }
    }

    func close() {
        lock.withLock {
            if fd >= 0 { systemClose(fd) }
            fd = -1
            bytes = 0
        }
    }

    /// Writes all of `data` and fsyncs; on failure the journal is closed, so the next save writes
    /// the whole lock file instead (a half-written line is a torn tail, which reads ignore).
    private func write(_ data: [UInt8], path: String) throws {
        var offset = 0
        while offset < data.count {
            let written = data[offset...].withUnsafeBytes { systemWrite(fd, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                let error = failure("append to", path)
                systemClose(fd)
                fd = -1
                throw error
            }
            offset += written
        }
        guard fsync(fd) == 0 else {
            let error = failure("sync", path)
            systemClose(fd)
            fd = -1
            throw error
        }
        bytes += data.count
    }

    private func failure(_ what: String, _ path: String) -> JournalError {
        JournalError(location: path, detail: "cannot \(what) it: \(String(cString: strerror(errno)))")
    }
}
