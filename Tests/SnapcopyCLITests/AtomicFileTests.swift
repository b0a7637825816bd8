import Foundation
import SnapcopyCore
import Testing
import TestSupport
@testable import SnapcopyCLI

/// Files snapcopy writes (the lock file, saved plans) are encoded before anything touches the disk.
@Suite struct AtomicFileTests {
    @Test("a value that cannot be encoded leaves the existing file byte-identical (defect 6)")
    func encodingFailureLeavesTheFileUntouched() async throws {
        struct Unencodable: Encodable { var ratio = Double.infinity }
        try await withTemporaryDirectory(prefix: "snapcopy-atomic") { directory in
            let path = try directory.write("{\"version\": 1}\n", to: "snapcopy.lock").path
            #expect(throws: CanonicalJSON.EncodingFailure.self) { try AtomicFile.write(encoding: Unencodable(), to: path) }
            #expect(try String(contentsOfFile: path, encoding: .utf8) == "{\"version\": 1}\n")
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.url.path)
            #expect(leftovers == ["snapcopy.lock"], "no temporary file is left behind: \(leftovers)")
        }
    }

    @Test("a lock file that cannot be written is reported as a journal error naming the file, and the old file stays")
    func unwritableDirectory() async throws {
        try await withTemporaryDirectory(prefix: "snapcopy-atomic") { directory in
            let missing = directory.appending("no-such-directory/snapcopy.lock").path
            let store = DiskLockStore(path: missing)
            #expect {
                try store.save(LockFile(lineage: "L"))
            } throws: { error in
                let text = (error as? JournalError)?.description ?? ""
                return text.contains(missing) && text.contains("No such file or directory")
            }
        }
    }
}
