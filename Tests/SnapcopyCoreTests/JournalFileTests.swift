import Foundation
import SnapcopyCore
import Testing

/// The append-only journal beside the lock file: what a read replays after a crash, and what it refuses.
@Suite struct JournalFileTests {
    static func record(_ target: String, status: LockRecord.Status = .available) -> LockRecord {
        LockRecord(region: "us-east-1", target: target, sourceARN: "arn:aws:rds:us-east-1:123456789012:cluster-snapshot:\(target)-src",
                   tags: ["env": "prod"], status: status, entryDigest: "d-\(target)")
    }

    /// A lock file at serial 3 with two records, and a journal continuing it by `entries`.
    static func journal(_ entries: [JournalFile.Entry], lineage: String = "L", base: Int = 3) throws -> [UInt8] {
        var bytes = try JournalFile.line(JournalFile.Header(lineage: lineage, base: base))
        for entry in entries { bytes += try JournalFile.line(entry) }
        return bytes
    }

    static let lock = LockFile(lineage: "L", serial: 3, records: [record("a"), record("b")])

    @Test("replaying puts and drops records in order and ends at the last save's serial")
    func replaysInOrder() throws {
        let contents = try Self.journal([
            JournalFile.Entry(serial: 4, put: [Self.record("c", status: .pending)], drop: []),
            JournalFile.Entry(serial: 5, put: [Self.record("c", status: .copying)], drop: [CopyIdentity(region: "us-east-1", target: "a")]),
        ])
        let replay = try JournalFile.replay(contents, file: "j", over: Self.lock, lockFile: "snapcopy.lock")
        #expect(replay.applied == 2)
        #expect(!replay.ignoredTornTail)
        #expect(replay.lock.serial == 5)
        #expect(replay.lock.records.map(\.target) == ["b", "c"])
        #expect(replay.lock.record(for: CopyIdentity(region: "us-east-1", target: "c"))?.status == .copying)
    }

    @Test("an entry made from a lock file's changes replays to that lock file")
    func entryRoundTrip() throws {
        var after = Self.lock
        after.remove(CopyIdentity(region: "us-east-1", target: "b"))
        after.upsert(Self.record("z", status: .pending))
        after.serial = 4
        let entry = JournalFile.Entry(saving: after, changed: [CopyIdentity(region: "us-east-1", target: "b"), CopyIdentity(region: "us-east-1", target: "z")])
        #expect(entry.put.map(\.target) == ["z"])
        #expect(entry.drop == [CopyIdentity(region: "us-east-1", target: "b")])
        let line = try JournalFile.line(entry)
        #expect(line.last == 0x0A && line.dropLast().firstIndex(of: 0x0A) == nil, "one line")
        let replay = try JournalFile.replay(try Self.journal([entry]), file: "j", over: Self.lock, lockFile: "snapcopy.lock")
        #expect(replay.lock == after)
    }

    @Test("a torn last line (a save that never finished, so its call was not made) is ignored")
    func tornTail() throws {
        var contents = try Self.journal([JournalFile.Entry(serial: 4, put: [Self.record("c")], drop: [])])
        let torn = try JournalFile.line(JournalFile.Entry(serial: 5, put: [Self.record("d")], drop: []))
        contents += torn.prefix(torn.count / 2)
        let replay = try JournalFile.replay(contents, file: "j", over: Self.lock, lockFile: "snapcopy.lock")
        #expect(replay.applied == 1)
        #expect(replay.ignoredTornTail)
        #expect(replay.lock.records.map(\.target) == ["a", "b", "c"])
    }

    @Test("a journal torn inside its header, or empty, replays nothing")
    func tornHeader() throws {
        let header = try JournalFile.line(JournalFile.Header(lineage: "L", base: 3))
        for contents in [[], Array(header.prefix(10))] {
            let replay = try JournalFile.replay(contents, file: "j", over: Self.lock, lockFile: "snapcopy.lock")
            #expect(replay.lock == Self.lock)
            #expect(replay.applied == 0)
        }
    }

    @Test("saves the lock file already holds are skipped (a crash between folding and removing the journal)")
    func alreadyFolded() throws {
        let contents = try Self.journal([
            JournalFile.Entry(serial: 2, put: [Self.record("old")], drop: []),
            JournalFile.Entry(serial: 3, put: [Self.record("older")], drop: []),
        ], base: 1)
        let replay = try JournalFile.replay(contents, file: "j", over: Self.lock, lockFile: "snapcopy.lock")
        #expect(replay.applied == 0)
        #expect(replay.lock == Self.lock)
    }

    @Test("a journal that does not continue the lock file's serial is a gap, with an error naming both serials")
    func gap() throws {
        let contents = try Self.journal([JournalFile.Entry(serial: 9, put: [Self.record("c")], drop: [])], base: 8)
        #expect(throws: JournalFile.Gap(lockSerial: 3, journalSerial: 9)) {
            try JournalFile.replay(contents, file: "j", over: Self.lock, lockFile: "snapcopy.lock")
        }
        let message = JournalFile.gapError(JournalFile.Gap(lockSerial: 3, journalSerial: 9), file: "snapcopy.lock.journal", lockFile: "snapcopy.lock")
        #expect(message.description.contains("from serial 8") && message.description.contains("at serial 3"), "\(message)")
        #expect(message.fix.contains("put back the snapcopy.lock"))
    }

    @Test("refused: another lineage, a damaged middle line, a newer version, a stray file, no lock file")
    func refusals() throws {
        func failure(_ contents: [UInt8], over lock: LockFile? = Self.lock) -> LockFileError? {
            do {
                _ = try JournalFile.replay(contents, file: "snapcopy.lock.journal", over: lock, lockFile: "snapcopy.lock")
                return nil
            } catch {
                return error as? LockFileError
            }
        }
        let good = try JournalFile.line(JournalFile.Entry(serial: 4, put: [Self.record("c")], drop: []))
        let other = try #require(failure(try Self.journal([], lineage: "M")))
        #expect(other.message.contains("lineage M") && other.message.contains("lineage L"), "\(other)")

        let damaged = try #require(failure(try Self.journal([]) + Array("{\"serial\": 4, \"put\": [}\n".utf8) + good))
        #expect(damaged.message.contains("line 2 of the journal is damaged"), "\(damaged)")
        #expect(damaged.file == "snapcopy.lock.journal")

        var newer = JournalFile.Header(lineage: "L", base: 3)
        newer.version = 2
        let future = try #require(failure(try JournalFile.line(newer)))
        #expect(future.message.contains("version 2") && future.fix.contains("upgrade snapcopy"), "\(future)")

        let stray = try #require(failure(Array("{\"format\": \"something-else\", \"version\": 1, \"lineage\": \"L\", \"base\": 3}\n".utf8)))
        #expect(stray.message.contains("not a snapcopy journal header"), "\(stray)")

        let orphan = try #require(failure(try Self.journal([]) + good, over: nil))
        #expect(orphan.message.contains("snapcopy.lock does not"), "\(orphan)")
    }
}
