import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SnapcopyCore
import Testing
import TestSupport
@testable import SnapcopyCLI

/// The journal apply appends beside the lock file: one line per save instead of a rewrite of the
/// whole file, replayed by every read after a crash and folded by the next command that writes
/// (an apply killed while copies are copying is in ``CrashTests``).
@Suite("the lock file's journal file")
struct JournalFileStoreTests {
    static func record(_ target: String, tagBytes: Int = 0) -> LockRecord {
        LockRecord(region: "us-east-1", target: target, sourceARN: "arn:aws:rds:us-east-1:123456789012:cluster-snapshot:src-\(target)",
                   tags: tagBytes == 0 ? [:] : ["padding": String(repeating: "x", count: tagBytes)], status: .pending, entryDigest: "d")
    }

    /// Puts `record` in `lock` and saves it the way ``Journal/save()`` does: the next serial, the changed identity.
    static func save(_ record: LockRecord, in lock: inout LockFile, to store: DiskLockStore) throws {
        lock.upsert(record)
        lock.serial += 1
        try store.save(lock, changed: [record.identity])
    }

    /// The lock file as it is on disk, without replaying the journal beside it.
    static func lockFileOnDisk(_ path: String) throws -> LockFile {
        try LockFile.decode(Array(try #require(FileManager.default.contents(atPath: path))), file: path)
    }

    @Test("with journaling, the first save writes the lock file, later ones append a line each; checkpoint folds and removes the journal")
    func appendsThenFolds() async throws {
        try await withTemporaryDirectory(prefix: "snapcopy-journal") { directory in
            let path = directory.appending("snapcopy.lock").path
            let store = DiskLockStore(path: path, journaling: true)
            var lock = LockFile(lineage: "lineage-1")
            for index in 0..<20 {
                try Self.save(Self.record("copy-\(index)"), in: &lock, to: store)
            }
            let first = try Self.lockFileOnDisk(path)
            #expect(first.serial == 1 && first.records.count == 1, "only the first save wrote the lock file")
            let lines = try String(contentsOfFile: store.journalPath, encoding: .utf8).split(separator: "\n")
            #expect(lines.count == 20, "a header and 19 saves")
            #expect(try store.read() == lock, "a read replays the journal")

            try store.checkpoint(lock)
            #expect(!FileManager.default.fileExists(atPath: store.journalPath))
            let folded = try #require(FileManager.default.contents(atPath: path))
            #expect(Array(folded) == (try lock.encoded()), "the folded file is the canonical encoding")
            #expect(try LockFile.decode(Array(folded), file: path) == lock)
        }
    }

    @Test("a journal that outgrows the lock file (plus 1 MiB) is folded and begun again, so bytes written stay linear")
    func foldsWhenTooLarge() async throws {
        try await withTemporaryDirectory(prefix: "snapcopy-journal") { directory in
            let path = directory.appending("snapcopy.lock").path
            let store = DiskLockStore(path: path, journaling: true)
            var lock = LockFile(lineage: "lineage-1")
            var largest = 0
            var folds = 0
            var previousSerial = 0
            for index in 0..<120 {
                // Each save rewrites one of three records with 20 KB of tags: the lock file stays ~60 KB.
                try Self.save(Self.record("copy-\(index % 3)", tagBytes: 20_000 + index), in: &lock, to: store)
                let size = (try FileManager.default.attributesOfItem(atPath: store.journalPath)[.size] as? Int) ?? 0
                largest = max(largest, size)
                let serial = try Self.lockFileOnDisk(path).serial
                if serial != previousSerial { folds += 1 }
                previousSerial = serial
                #expect(try store.read() == lock)
            }
            #expect(folds >= 2, "the lock file was written whole \(folds) times")
            #expect(folds <= 5, "the lock file was written whole \(folds) times")
            #expect(largest < (1 << 20) + 64_000, "the journal grew to \(largest) bytes")
        }
    }

    @Test("a leftover journal is folded by the commands that write (refresh, cancel, apply); one of another lock file is refused by plan")
    func leftoverJournals() async throws {
        try await withTemporaryDirectory(prefix: "snapcopy-journal") { directory in
            let path = directory.appending("snapcopy.lock").path
            let store = DiskLockStore(path: path, journaling: true)
            var lock = LockFile(lineage: "lineage-1")
            for index in 0..<3 {
                try Self.save(Self.record("copy-\(index)"), in: &lock, to: store)
            }
            let (read, folded) = try DiskLockStore(path: path).readFoldingLeftoverJournal()
            #expect(folded == 2)
            #expect(read == lock)
            #expect(!FileManager.default.fileExists(atPath: store.journalPath))
            #expect(try Self.lockFileOnDisk(path) == lock)

            // A journal whose lineage is another lock file's: every reader refuses it, naming both.
            let stray = try JournalFile.line(JournalFile.Header(lineage: "someone-else", base: 0))
            try Data(stray).write(to: URL(fileURLWithPath: store.journalPath))
            let plan = try await CLI.run(["plan", "examples/manifests", "--live-state", "examples/live-state", "--lock-file", path])
            #expect(plan.exitCode == 1)
            #expect(plan.stderr.contains("snapcopy.lock.journal") && plan.stderr.contains("lineage someone-else"), "\(plan.stderr)")
            #expect(plan.stderr.contains("fix:"), "\(plan.stderr)")
        }
    }
}
