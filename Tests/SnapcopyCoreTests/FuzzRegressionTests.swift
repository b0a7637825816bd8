import Foundation
import Testing

/// One input of a fuzz target: a file saved in `Tests/Fuzz/Regressions/<target>`, or one written here.
struct FuzzInput: Sendable, CustomTestStringConvertible {
    var name: String
    var bytes: [UInt8]

    var testDescription: String { name }

    init(_ name: String, _ bytes: [UInt8]) {
        self.name = name
        self.bytes = bytes
    }

    init(_ name: String, _ text: String) {
        self.init(name, Array(text.utf8))
    }

    /// The files saved for `target` (crash inputs the fuzzer found, and ones added by hand), then `handMade`.
    static func inputs(_ target: String, _ handMade: [FuzzInput]) -> [FuzzInput] {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fuzz/Regressions/\(target)")
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
        let saved = names.compactMap { name in
            FileManager.default.contents(atPath: folder.appendingPathComponent(name).path).map { FuzzInput("\(target)/\(name)", Array($0)) }
        }
        return saved + handMade
    }
}

/// The core's fuzz targets' checks (``CoreFuzzChecks``) on every saved regression input and on a
/// few tricky hand-made ones: each must give a clean error or a result, never a crash or a hang.
@Suite("Fuzz regressions of the core: JSON parser, manifests, lock file, captures")
struct CoreFuzzRegressionTests {
    static let deep512 = String(repeating: "[", count: 512) + String(repeating: "]", count: 512)
    static let deep513 = String(repeating: "[", count: 513) + String(repeating: "]", count: 513)

    static let json = FuzzInput.inputs("JSONParser", [
        FuzzInput("empty", ""),
        FuzzInput("byte order mark only", [0xEF, 0xBB, 0xBF]),
        FuzzInput("byte order mark and object", [0xEF, 0xBB, 0xBF] + Array("{\"a\": [1, 2.5e-3, -0, true, null]}".utf8)),
        FuzzInput("512 levels", deep512),
        FuzzInput("513 levels", deep513),
        FuzzInput("lone surrogate", "\"\\ud800\""),
        FuzzInput("surrogate pair", "\"\\ud83d\\ude00\""),
        FuzzInput("escaped NUL", "[\"\\u0000\"]"),
        FuzzInput("invalid UTF-8 in a string", [0x22, 0xFF, 0x22]),
        FuzzInput("huge number", "[1e400, -1e400, 123456789012345678901234567890]"),
        FuzzInput("canonically equivalent keys", "{\"\u{e9}\": 1, \"e\u{301}\": 2}"),
        FuzzInput("CRLF lines and an error far right", "{\r\n" + String(repeating: " ", count: 5000) + "\"a\" 1}"),
        FuzzInput("trailing comma", "{\"a\": [1,],}"),
    ])

    @Test("JSON parser", arguments: json)
    func jsonParser(_ input: FuzzInput) throws {
        try CoreFuzzChecks.jsonParser(input.bytes)
    }

    static let manifests = FuzzInput.inputs("Manifest", [
        FuzzInput("valid", #"{"version": 1, "defaults": {"region": "us-west-2"}, "copies": [{"source": "arn:aws:rds:us-east-1:123456789012:cluster-snapshot:s1", "target": "s1-dr", "tags": [{"Key": "a", "Value": "b"}]}]}"#),
        FuzzInput("rule with every field", #"{"version": 1, "rules": [{"name": "r", "select": {"region": "us-east-1", "clusters": ["c*"], "type": "any", "latest": 2, "within": "P1DT12H"}, "copy": {"region": "us-west-2", "target": "{cluster}-{date}-{time}-{source}"}, "retain": {"keep": 3, "maxAge": "P4W"}, "rpo": "PT26H"}]}"#),
        FuzzInput("durations that overflow when added", #"{"version": 1, "rules": [{"name": "r", "select": {"region": "us-east-1"}, "copy": {"region": "us-west-2", "target": "{date}"}, "retain": {"maxAge": "PT9223372036854775807S1S"}, "rpo": "P15250284452471W9223372036854775807S"}]}"#),
        FuzzInput("version as a fraction", #"{"version": 1.0, "copies": []}"#),
        FuzzInput("version beyond Int", #"{"version": 99999999999999999999, "copies": []}"#),
        FuzzInput("unknown keys of every length", #"{"version": 1, "copies": [], "x": 1, "coppies": 2, ""# + String(repeating: "k", count: 3000) + #"": 3}"#),
        FuzzInput("tag key of combining marks", #"{"version": 1, "defaults": {"region": "us-west-2"}, "copies": [{"source": "s", "target": "t", "tags": {"e\u0301\u0301\u0301": "v"}}]}"#),
    ])

    @Test("manifest loader", arguments: manifests)
    func manifest(_ input: FuzzInput) throws {
        try CoreFuzzChecks.manifest(input.bytes)
    }

    static let record = #"{"region": "us-west-2", "target": "T-Copy", "sourceARN": "arn:aws:rds:us-east-1:123456789012:cluster-snapshot:s1", "tags": {"b": "1", "a": "\u0000"}, "copyTags": false, "deletionPolicy": "retain", "status": "available", "entryDigest": "sha256:x"}"#

    static let locks = FuzzInput.inputs("LockFile", [
        FuzzInput("upper-case target", #"{"version": 1, "lineage": "l", "serial": 3, "records": [\#(record)]}"#),
        FuzzInput("same target in two cases", #"{"version": 1, "lineage": "l", "serial": 3, "records": [\#(record), \#(record.replacingOccurrences(of: "T-Copy", with: "t-copy"))]}"#),
        FuzzInput("serial in exponent form", #"{"version": 1, "lineage": "l", "serial": 1e2, "records": []}"#),
        FuzzInput("serial beyond Int", #"{"version": 1, "lineage": "l", "serial": 9223372036854775808, "records": []}"#),
        FuzzInput("version as a fraction", #"{"version": 1.0, "lineage": "l", "serial": 1, "records": []}"#),
        FuzzInput("negative version", #"{"version": -9223372036854775808, "lineage": "l", "serial": 1, "records": []}"#),
    ])

    @Test("lock-file reader", arguments: locks)
    func lockFile(_ input: FuzzInput) throws {
        try CoreFuzzChecks.lockFile(input.bytes)
    }

    static func captureText(_ members: String) -> String {
        #"{"Region": "us-east-1", "DBClusterSnapshots": [{"DBClusterSnapshotIdentifier": "s1", "DBClusterSnapshotArn": "arn:aws:rds:us-east-1:123456789012:cluster-snapshot:s1"\#(members)}]}"#
    }

    static let captures = FuzzInput.inputs("Capture", [
        FuzzInput("every member", captureText(#", "DBClusterIdentifier": "c", "Status": "Copying", "PercentProgress": 5, "Engine": "neptune", "StorageEncrypted": true, "KmsKeyId": "k", "SnapshotType": "manual", "SnapshotCreateTime": "2026-11-20T03:00:00.123+05:30", "SourceDBClusterSnapshotArn": "", "TagList": [{"Key": "a", "Value": "1"}, {"Key": "a"}]"#)),
        FuzzInput("create time a hair before the next second", captureText(#", "SnapshotCreateTime": "2026-11-20T03:00:00.9996Z""#)),
        FuzzInput("create time before year 0", captureText(#", "SnapshotCreateTime": "0000-01-01T00:00:00+01:00""#)),
        FuzzInput("captured at nine fraction digits", #"{"CapturedAt": "2026-11-20T03:00:00.999999999Z", "DBClusterSnapshots": []}"#),
        FuzzInput("status of an unknown kind", captureText(#", "Status": "Incompatible-Network", "SnapshotType": "AwsBackup""#)),
    ])

    @Test("capture reader", arguments: captures)
    func capture(_ input: FuzzInput) throws {
        try CoreFuzzChecks.capture(input.bytes)
    }
}
