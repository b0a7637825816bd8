import Foundation

/// Where the journal keeps the lock file: the one seam between the journal and the disk.
public protocol LockStore: Sendable {
    /// Where the file is, for messages (`snapcopy.lock`).
    var location: String { get }
    /// Writes `lock` durably before returning. On failure the previous file is left as it was.
    func save(_ lock: LockFile) throws
    /// Writes `lock` durably before returning, where only the records of `changed` differ from the
    /// last save (the ones put or dropped): a store may append just those to a journal file.
    func save(_ lock: LockFile, changed: Set<CopyIdentity>) throws
    /// Folds what the store journaled into the lock file itself, leaving `lock` whole on disk and no
    /// journal; nothing happens when nothing was journaled.
    func checkpoint(_ lock: LockFile) throws
}

extension LockStore {
    /// Stores without a journal write the whole file.
    public func save(_ lock: LockFile, changed: Set<CopyIdentity>) throws { try save(lock) }
    /// Stores without a journal have nothing to fold.
    public func checkpoint(_ lock: LockFile) throws {}
}

/// The lock file could not be saved: the write it guards must not be made.
public struct JournalError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The lock file.
    public var location: String
    /// What went wrong (from the store), without any secret.
    public var detail: String

    public init(location: String, detail: String) {
        self.location = location
        self.detail = detail
    }

    public var description: String {
        "the lock file \(location) could not be written (\(detail)); no API write is made without its journal entry on disk"
    }

    /// What to do about it.
    public var fix: String {
        "make \(location) and its directory writable (check permissions, free disk space, a read-only mount), then run apply again; the previous lock file is intact"
    }
}

/// A store that keeps the lock file in memory: for tests and dry runs.
public final class InMemoryLockStore: LockStore, @unchecked Sendable {
    private let lock = NSLock()
    private var _saved: [LockFile] = []
    private var _failure: String?
    private var _failAfter: Int?

    public init() {}

    public var location: String { "<memory>" }

    /// Every lock file saved, in order.
    public var saved: [LockFile] { lock.withLock { _saved } }

    /// Makes every save from now on fail with `detail`, or (after `successes` more saves) from then on.
    public func failSaves(with detail: String?, after successes: Int = 0) {
        lock.withLock {
            _failure = detail
            _failAfter = detail == nil ? nil : successes
        }
    }

    public func save(_ lockFile: LockFile) throws {
        try lock.withLock {
            if let failure = _failure {
                if let remaining = _failAfter, remaining > 0 {
                    _failAfter = remaining - 1
                } else {
                    throw JournalError(location: location, detail: failure)
                }
            }
            _saved.append(lockFile)
        }
    }
}
