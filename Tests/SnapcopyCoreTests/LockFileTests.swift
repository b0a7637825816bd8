import Foundation
import Testing
@testable import SnapcopyCore

@Suite struct LockFileTests {
    static let sample = LockFile(lineage: "6f1c9a2e-4b7d-4e3a-9f21-8c5d0b7a3e14", serial: 4, records: [
        LockRecord(region: "us-west-2", target: "b-copy", sourceARN: "arn:aws:rds:us-east-1:123456789012:cluster-snapshot:b",
                   tags: ["z": "1", "a": "2"], status: .copying, percentProgress: 40, entryDigest: "sha256:1"),
        LockRecord(region: "us-east-1", target: "A-Copy", sourceARN: "arn:aws:rds:us-east-1:123456789012:cluster-snapshot:a",
                   deletionPolicy: .delete, entryDigest: "sha256:2"),
    ])

    @Test func encodesDeterministicallySortedWithTrailingNewline() throws {
        let text = String(decoding: try Self.sample.encoded(), as: UTF8.self)
        #expect(text.hasSuffix("}\n"))
        #expect(text.hasPrefix("{\n  \"lineage\": \"6f1c9a2e-4b7d-4e3a-9f21-8c5d0b7a3e14\",\n  \"records\": [\n"))
        let a = try #require(text.range(of: "\"a-copy\""))
        let b = try #require(text.range(of: "\"b-copy\""))
        #expect(a.lowerBound < b.lowerBound, "records sort by region then target")
        #expect(text.contains("\"tags\": {\n        \"a\": \"2\",\n        \"z\": \"1\"\n      }"))
        #expect(!text.contains("\\/"))
        #expect(try Self.sample.encoded() == (try LockFile(lineage: Self.sample.lineage, serial: 4, records: Self.sample.records.reversed()).encoded()))
    }

    @Test func encodingWithReusedRecordsIsByteIdentical() throws {
        let encodings = LockRecordEncodings()
        var lock = Self.sample
        #expect(try lock.encoded(reusing: encodings) == (try lock.encoded()))
        // Again, from the cache, after one record changed and one was added, and with none.
        lock.upsert(LockRecord(region: "us-west-2", target: "b-copy", sourceARN: "arn:aws:rds:us-east-1:123456789012:cluster-snapshot:b",
                               tags: ["z": "1", "a": "2", "line": "one\ntwo \"quoted\" / slash"], status: .available, percentProgress: 100, entryDigest: "sha256:1"))
        lock.upsert(LockRecord(region: "eu-west-1", target: "c", sourceARN: "arn:aws:rds:eu-west-1:123456789012:cluster-snapshot:c", entryDigest: "sha256:3"))
        lock.serial += 1
        #expect(try lock.encoded(reusing: encodings) == (try lock.encoded()))
        #expect(try LockFile(lineage: "L").encoded(reusing: encodings) == (try LockFile(lineage: "L").encoded()))
    }

    @Test func roundTrips() throws {
        let decoded = try LockFile.decode(try Self.sample.encoded(), file: "snapcopy.lock")
        #expect(decoded == Self.sample)
        #expect(try decoded.encoded() == (try Self.sample.encoded()))
    }

    @Test func refusesANewerVersionNamingBoth() {
        let text = "{\"version\": 7, \"lineage\": \"x\", \"serial\": 1, \"records\": [], \"future\": true}"
        #expect {
            _ = try LockFile.decode(Array(text.utf8), file: "snapcopy.lock")
        } throws: { error in
            let message = (error as? LockFileError)?.message ?? ""
            return message.contains("version 7") && message.contains("up to 1")
        }
    }

    @Test(arguments: ["", "{\"version\": 1, \"lineage\": \"x\", \"serial\": 1, \"records\": [", "{\"lineage\": \"x\"}",
                      "{\"version\": 1, \"lineage\": \"x\", \"serial\": \"one\", \"records\": []}", "garbage"])
    func refusesCorruptOrTruncatedFiles(text: String) {
        #expect {
            _ = try LockFile.decode(Array(text.utf8), file: "snapcopy.lock")
        } throws: { error in
            let description = (error as? LockFileError)?.description ?? ""
            return description.contains("snapcopy.lock") && description.contains("fix:")
        }
    }

    @Test func truncatingAValidFileAnywhereIsDetected() throws {
        let bytes = try Self.sample.encoded()
        for length in stride(from: 0, to: bytes.count - 2, by: 7) {
            #expect(throws: LockFileError.self) { try LockFile.decode(Array(bytes[0..<length]), file: "l") }
        }
    }

    @Test("a lock file recording the same copy twice is refused, naming both records")
    func refusesDuplicatedRecords() throws {
        var text = String(decoding: try Self.sample.encoded(), as: UTF8.self)
        // Give the second record the first's identity (us-east-1 a-copy → us-west-2 b-copy), case differing.
        text = text.replacingOccurrences(of: "\"region\": \"us-east-1\"", with: "\"region\": \"us-west-2\"")
            .replacingOccurrences(of: "\"target\": \"a-copy\"", with: "\"target\": \"B-Copy\"")
        #expect {
            _ = try LockFile.decode(Array(text.utf8), file: "snapcopy.lock")
        } throws: { error in
            let description = (error as? LockFileError)?.description ?? ""
            return description.contains("records[0] and records[1]") && description.contains("b-copy in us-west-2")
                && description.contains("left untouched") && description.contains("fix:")
        }
    }

    @Test("encoding that fails throws instead of producing text to write")
    func encodingFailuresThrow() {
        struct NotANumber: Encodable { var value = Double.nan }
        #expect {
            _ = try CanonicalJSON.encode(NotANumber())
        } throws: { error in
            (error as? CanonicalJSON.EncodingFailure)?.description.contains("NotANumber could not be encoded") == true
        }
    }

    @Test func upsertReplacesByIdentity() {
        var lock = Self.sample
        lock.upsert(LockRecord(region: "us-east-1", target: "a-copy", sourceARN: "s", entryDigest: "new"))
        #expect(lock.records.count == 2)
        #expect(lock.record(for: CopyIdentity(region: "us-east-1", target: "A-COPY"))?.entryDigest == "new")
        lock.remove(CopyIdentity(region: "us-east-1", target: "a-copy"))
        #expect(lock.records.map(\.target) == ["b-copy"])
    }
}
