import Foundation
import Testing
@testable import SnapcopyCore

/// The lock file's exact bytes, compared with `Golden/snapcopy.lock`: operators commit the file and
/// review its diffs, so a change of field names, order, indentation or number formatting is a
/// format change that must be deliberate (and, if incompatible, bump `LockFile.currentVersion`).
/// Run with `SNAPCOPY_RECORD_GOLDEN=1` to rewrite the file after an intended change, then review the diff.
@Suite struct LockFileGoldenTests {
    static let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden/snapcopy.lock")

    /// One record per status and per pending operation, one with every optional field set, one
    /// with none, tags that need escaping, and records given out of order.
    static let sample = LockFile(lineage: "0b8f3c52-91d4-4e6a-a7c3-5d2e9f104b68", serial: 17, records: [
        LockRecord(
            region: "us-west-2", target: "orders-2026-11-30-dr",
            targetARN: "arn:aws:rds:us-west-2:123456789012:cluster-snapshot:orders-2026-11-30-dr",
            sourceARN: "arn:aws:rds:us-east-1:123456789012:cluster-snapshot:rds:orders-2026-11-30-03-00",
            kmsKeyID: "arn:aws:kms:us-west-2:123456789012:key/1f2e3d4c-5b6a-4978-8695-a4b3c2d1e0f9",
            tags: ["snapcopy:source": "arn:aws:rds:us-east-1:123456789012:cluster-snapshot:rds:orders-2026-11-30-03-00",
                   "team": "graph \"core\"", "path": "a/b\\c", "ünïcode": "✓"],
            copyTags: true, deletionPolicy: .delete, roleARN: "arn:aws:iam::123456789012:role/snapcopy-dr",
            status: .copying, percentProgress: 35, snapshotCreateTime: "2026-11-30T03:00:12.345Z",
            startedAt: "2026-11-30T03:05:00Z", observedAt: "2026-11-30T03:20:00Z", progressSince: "2026-11-30T03:15:00Z",
            entryDigest: "sha256:9c1185a5c5e9fc54612808977ee8f548b2258d31a3f4c8b1e0e7f1c2d3b4a596",
            rule: "nightly-orders", sourceCluster: "orders", sourceCreateTime: "2026-11-30T03:00:00.512Z"
        ),
        LockRecord(region: "us-east-1", target: "Minimal-Copy", sourceARN: "arn:aws:rds:us-east-1:123456789012:cluster-snapshot:minimal",
                   entryDigest: "sha256:01"),
        LockRecord(region: "us-east-1", target: "pending-create", sourceARN: "arn:aws:rds:us-east-1:123456789012:cluster-snapshot:a",
                   status: .pending, operation: .create, startedAt: "2026-11-30T04:00:00Z", entryDigest: "sha256:02"),
        LockRecord(region: "us-east-1", target: "pending-delete", sourceARN: "arn:aws:rds:us-east-1:123456789012:cluster-snapshot:b",
                   status: .pending, operation: .delete, entryDigest: "sha256:03"),
        LockRecord(region: "eu-west-1", target: "pending-replace", sourceARN: "arn:aws:rds:us-east-1:123456789012:cluster-snapshot:c",
                   status: .pending, operation: .replace, entryDigest: "sha256:04"),
        LockRecord(region: "eu-west-1", target: "pending-tags", sourceARN: "arn:aws:rds:us-east-1:123456789012:cluster-snapshot:d",
                   tags: ["owner": "dba"], status: .pending, operation: .updateTags, entryDigest: "sha256:05"),
        LockRecord(region: "eu-west-1", target: "failed-copy", sourceARN: "arn:aws:rds:us-east-1:123456789012:cluster-snapshot:e",
                   status: .failed, percentProgress: 0, startedAt: "2026-11-29T01:00:00Z", completedAt: "2026-11-29T02:00:00Z",
                   entryDigest: "sha256:06"),
    ])

    @Test("the encoded lock file is byte for byte the golden file")
    func encodingMatchesTheGoldenFile() throws {
        let encoded = try Self.sample.encoded()
        if ProcessInfo.processInfo.environment["SNAPCOPY_RECORD_GOLDEN"] != nil {
            try Data(encoded).write(to: Self.file)
        }
        let golden = Array(try Data(contentsOf: Self.file))
        #expect(encoded == golden, """
            the lock file format changed:
            \(String(decoding: encoded, as: UTF8.self))
            if the change is intended, rerun with SNAPCOPY_RECORD_GOLDEN=1, review the diff, and bump LockFile.currentVersion if old readers cannot read it
            """)
    }

    @Test("the golden file decodes to the same records and re-encodes to the same bytes")
    func goldenFileRoundTrips() throws {
        let golden = Array(try Data(contentsOf: Self.file))
        let decoded = try LockFile.decode(golden, file: "Golden/snapcopy.lock")
        #expect(decoded == Self.sample)
        #expect(try decoded.encoded() == golden)
    }
}
