import Foundation

/// The lock file's append-only companion (`snapcopy.lock.journal`), written during an apply so
/// that saving the intent of a write costs one appended line instead of a rewrite of the whole
/// lock file.
///
/// A journal file starts with a header naming the lock file's lineage and the serial it continues
/// from (`base`); each following line is one save: the records it put and the identities it
/// dropped, with the serial that save gave the lock file. Apply folds it into `snapcopy.lock` when
/// it finishes (and whenever it grows past the lock file's size), then removes it; after a crash
/// the next read replays it over the lock file, so nothing journaled is lost.
///
/// A last line without its newline is the torn tail of a save that never finished (the call it
/// guarded was not made) and is ignored; any other damage is refused.
public enum JournalFile {
    /// The name the journal has beside `lockFile`.
    public static func path(besideLockFile lockFile: String) -> String { lockFile + ".journal" }

    /// The first line: which lock file, and from which serial.
    public struct Header: Sendable, Hashable, Codable {
        /// Always `snapcopy-journal`, so a stray file is not taken for a journal.
        public var format: String
        /// The journal format's version.
        public var version: Int
        /// The lineage of the lock file it continues.
        public var lineage: String
        /// The lock file's serial when the journal began.
        public var base: Int

        public static let formatName = "snapcopy-journal"
        public static let currentVersion = 1

        public init(lineage: String, base: Int) {
            self.format = Self.formatName
            self.version = Self.currentVersion
            self.lineage = lineage
            self.base = base
        }
    }

    /// One save: the serial it gave the lock file, the records it put and those it dropped.
    public struct Entry: Sendable, Hashable, Codable {
        public var serial: Int
        public var put: [LockRecord]
        public var drop: [CopyIdentity]

        public init(serial: Int, put: [LockRecord], drop: [CopyIdentity]) {
            self.serial = serial
            self.put = put
            self.drop = drop
        }

        /// The entry of a save of `lock` in which the records of `changed` changed.
        public init(saving lock: LockFile, changed: some Sequence<CopyIdentity>) {
            var put: [LockRecord] = []
            var drop: [CopyIdentity] = []
            for identity in changed.sorted() {
                if let record = lock.record(for: identity) { put.append(record) } else { drop.append(identity) }
            }
            self.init(serial: lock.serial, put: put, drop: drop)
        }
    }

    /// `value` as one line: compact JSON with sorted keys and a newline (strings escape theirs).
    public static func line(_ value: some Encodable) throws(CanonicalJSON.EncodingFailure) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            var bytes = Array(try encoder.encode(value))
            bytes.append(0x0A)
            return bytes
        } catch {
            throw CanonicalJSON.EncodingFailure(type: String(describing: type(of: value)), detail: CanonicalJSON.describe(error))
        }
    }

    /// What replaying a journal gave.
    public struct Replay: Sendable, Equatable {
        /// The lock file with every journaled save applied.
        public var lock: LockFile
        /// How many saves were applied (those the lock file already held are skipped).
        public var applied: Int
        /// Whether a torn last line was ignored.
        public var ignoredTornTail: Bool
    }

    /// Why a journal cannot be replayed.
    public struct Gap: Error, Sendable, Equatable {
        /// The lock file's serial.
        public var lockSerial: Int
        /// The serial of the journal's next save.
        public var journalSerial: Int

        public init(lockSerial: Int, journalSerial: Int) {
            self.lockSerial = lockSerial
            self.journalSerial = journalSerial
        }
    }

    /// Replays `contents` (a journal file at `file`) over `lock`.
    ///
    /// Saves the lock file already holds (serial not above its own) are skipped, which covers a
    /// crash between writing the folded lock file and removing the journal. An empty journal, or
    /// one whose header is torn, replays nothing.
    /// - Throws: ``Gap`` when the journal does not continue the lock file's serial (the lock file
    ///   is older than the journal, or it is being rewritten this instant); ``LockFileError`` when
    ///   the journal is damaged, belongs to another lock file, or there is no lock file.
    public static func replay(_ contents: [UInt8], file: String, over lock: LockFile?, lockFile: String) throws -> Replay {
        var lines = contents.split(separator: 0x0A, omittingEmptySubsequences: false)
        // The split leaves what follows the last newline: empty when the file ends with one.
        let tail = lines.removeLast()
        let ignoredTornTail = !tail.isEmpty
        guard let headerLine = lines.first else {
            guard let lock else { throw missingLockFile(file: file, lockFile: lockFile) }
            return Replay(lock: lock, applied: 0, ignoredTornTail: ignoredTornTail)
        }
        let decoder = JSONDecoder()
        let header: Header
        do {
            header = try decoder.decode(Header.self, from: Data(headerLine))
        } catch {
            throw damaged(file: file, line: 1, detail: CanonicalJSON.describe(error), lockFile: lockFile)
        }
        guard header.format == Header.formatName else {
            throw damaged(file: file, line: 1, detail: "its first line is not a snapcopy journal header", lockFile: lockFile)
        }
        guard header.version <= Header.currentVersion else {
            throw LockFileError(file: file, message: "the journal has version \(header.version), but this snapcopy reads versions up to \(Header.currentVersion)",
                                fix: "upgrade snapcopy to a release that reads journal version \(header.version), and run it where the journal is")
        }
        guard var lock else { throw missingLockFile(file: file, lockFile: lockFile) }
        guard header.lineage == lock.lineage else {
            throw LockFileError(
                file: file,
                message: "the journal belongs to a lock file of lineage \(header.lineage), but \(lockFile) has lineage \(lock.lineage); nothing was changed",
                fix: "put back the \(lockFile) this journal was written beside (the one the interrupted apply used), then run snapcopy again; delete the journal only if that lock file is lost")
        }
        var applied = 0
        for (offset, line) in lines.dropFirst().enumerated() {
            let entry: Entry
            do {
                entry = try decoder.decode(Entry.self, from: Data(line))
            } catch {
                throw damaged(file: file, line: offset + 2, detail: CanonicalJSON.describe(error), lockFile: lockFile)
            }
            if entry.serial <= lock.serial { continue }
            guard entry.serial == lock.serial + 1 else { throw Gap(lockSerial: lock.serial, journalSerial: entry.serial) }
            for identity in entry.drop { lock.remove(identity) }
            for record in entry.put { lock.upsert(record) }
            lock.serial = entry.serial
            applied += 1
        }
        return Replay(lock: lock, applied: applied, ignoredTornTail: ignoredTornTail)
    }

    /// The error for a journal that does not continue its lock file.
    public static func gapError(_ gap: Gap, file: String, lockFile: String) -> LockFileError {
        LockFileError(
            file: file,
            message: "the journal continues the lock file from serial \(gap.journalSerial - 1), but \(lockFile) is at serial \(gap.lockSerial) (it was replaced by an older copy after an apply stopped); nothing was changed",
            fix: "put back the \(lockFile) the interrupted apply wrote (it is newer than the one in version control), then run snapcopy again; delete the journal only if that lock file is lost")
    }

    private static func damaged(file: String, line: Int, detail: String, lockFile: String) -> LockFileError {
        LockFileError(
            file: file,
            message: "line \(line) of the journal is damaged (\(detail)); \(lockFile) and the journal were left untouched",
            fix: "restore both from a backup of the directory; if there is none, delete the journal and run snapcopy plan: copies an interrupted apply started carry snapcopy's ownership tag and are adopted")
    }

    private static func missingLockFile(file: String, lockFile: String) -> LockFileError {
        LockFileError(
            file: file,
            message: "a journal exists but \(lockFile) does not; the journal only holds the changes since that lock file was written",
            fix: "restore \(lockFile) (the one the interrupted apply wrote) and run snapcopy again; if it is lost, delete the journal and run snapcopy plan")
    }
}
