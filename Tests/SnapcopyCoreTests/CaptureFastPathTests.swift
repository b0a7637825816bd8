import Foundation
import Testing
@testable import SnapcopyCore

/// The fast capture reader (``LiveStateFile/fastCapture(_:)``) against the tree it replaces
/// (``LiveStateFile/parseTree(_:file:)``): when the fast reader returns a capture, the tree gives
/// the same one; when it does not, `parse` gives exactly the tree's answer, error and all.
@Suite struct CaptureFastPathTests {
    static let arn = "arn:aws:rds:us-east-1:123456789012:cluster-snapshot"
    static let snapshot = """
        {"DBClusterSnapshotIdentifier": "a", "DBClusterSnapshotArn": "\(arn):a", "Engine": "neptune", "Status": "available", \
        "PercentProgress": 100, "StorageEncrypted": false, "SnapshotType": "manual", "SnapshotCreateTime": "2026-11-20T03:00:00.512000+00:00", \
        "DBClusterIdentifier": "c", "KmsKeyId": "k", "SourceDBClusterSnapshotArn": "", "TagList": [{"Key": "env", "Value": "prod"}]}
        """

    /// Documents the fast reader must read itself, each the same as the tree.
    static let accepted: [String] = [
        "{\"DBClusterSnapshots\": []}",
        "\u{FEFF}{\"DBClusterSnapshots\": []}",
        " \t\r\n{\"DBClusterSnapshots\" :[ ] } \n",
        "{\"Region\": \"us-east-1\", \"CapturedAt\": \"2026-11-20T03:00:00Z\", \"DBClusterSnapshots\": []}",
        "{\"DBClusterSnapshots\": [\(snapshot)], \"Region\": \"eu-west-1\"}",
        "{\"DBClusterSnapshots\": [\(snapshot), {\"DBClusterSnapshotIdentifier\": \"b\", \"DBClusterSnapshotArn\": \"\(arn):b\"}]}",
        // Nulls read as absent; unknown members of every kind are skipped.
        "{\"DBClusterSnapshots\": [{\"DBClusterSnapshotIdentifier\": \"a\", \"DBClusterSnapshotArn\": \"\(arn):a\", \"Status\": null, \"PercentProgress\": null, \"StorageEncrypted\": null, \"SnapshotCreateTime\": null, \"KmsKeyId\": null}]}",
        "{\"Other\": {\"x\": [1, -2.5e-3, true, false, null, {\"y\": {}}, []]}, \"DBClusterSnapshots\": [{\"DBClusterSnapshotIdentifier\": \"a\", \"DBClusterSnapshotArn\": \"\(arn):a\", \"AvailabilityZones\": [\"us-east-1a\"], \"Port\": 8182}]}",
        // Escapes and non-ASCII text in values.
        "{\"DBClusterSnapshots\": [{\"DBClusterSnapshotIdentifier\": \"a\\u0062\", \"DBClusterSnapshotArn\": \"\(arn):ab\", \"TagList\": [{\"Key\": \"n\\u00e9\\/\\\"\", \"Value\": \"\\ud83d\\ude00 \\n\\t\"}, {\"Key\": \"é\", \"Value\": \"ü\"}]}]}",
        // TagList: a Value that is not a string reads as ""; a later key wins; other members are skipped.
        "{\"DBClusterSnapshots\": [{\"DBClusterSnapshotIdentifier\": \"a\", \"DBClusterSnapshotArn\": \"\(arn):a\", \"TagList\": [{\"Key\": \"a\", \"Value\": 1}, {\"Key\": \"b\"}, {\"Key\": \"c\", \"Value\": null}, {\"Key\": \"d\", \"Value\": {\"v\": [1]}}, {\"Key\": \"a\", \"Value\": \"again\", \"Note\": [true]}]}]}",
        "{\"DBClusterSnapshots\": [{\"DBClusterSnapshotIdentifier\": \"a\", \"DBClusterSnapshotArn\": \"\(arn):a\", \"TagList\": []}]}",
        // Statuses and types kept as written; an empty identifier takes the ARN's.
        "{\"DBClusterSnapshots\": [{\"DBClusterSnapshotIdentifier\": \"\", \"DBClusterSnapshotArn\": \"\(arn):a\", \"Status\": \"Copying\", \"SnapshotType\": \"shared\", \"PercentProgress\": -0, \"Engine\": \"aurora\"}]}",
        "{\"DBClusterSnapshots\": [{\"DBClusterSnapshotIdentifier\": \"rds:a\", \"DBClusterSnapshotArn\": \"arn:aws-cn:rds:cn-north-1:123456789012:cluster-snapshot:rds:a\", \"Status\": \"incompatible-restore\"}]}",
        // Nesting well inside the parser's limit.
        "{\"Deep\": \(String(repeating: "[", count: 300))\(String(repeating: "]", count: 300)), \"DBClusterSnapshots\": []}",
    ]

    /// Documents the fast reader leaves to the tree: errors, and what only the tree may decide.
    static let declined: [String] = [
        "", "\u{FEFF}", "[]", "{}", "{\"DBClusterSnapshots\": {}}", "{\"DBClusterSnapshots\": []} x", "{\"DBClusterSnapshots\": [}",
        "{\"DBClusterSnapshots\": [],}", "{\"DBClusterSnapshots\": [1]}", "{\"DBClusterSnapshots\": [\"a\"]}",
        "{\"DBClusterSnapshots\": [], \"DBClusterSnapshots\": []}",
        "{\"DBClusterSnapshots\": [], \"Other\": {\"x\": 1, \"x\": 2}}",
        "{\"DBClusterSnapshots\": [{\"DBClusterSnapshotIdentifier\": \"a\", \"DBClusterSnapshotArn\": \"\(arn):a\", \"Status\": \"a\", \"Status\": \"b\"}]}",
        // Keys with escapes or beyond ASCII: their equality is Swift's (canonical equivalence).
        "{\"DBClusterSnapshot\\u0073\": []}",
        "{\"DBClusterSnapshots\": [], \"Régión\": 1}",
        "{\"DBClusterSnapshots\": [{\"DBClusterSnapshotIdentifier\": \"a\", \"DBClusterSnapshotArn\": \"\(arn):a\", \"\u{212A}msKeyId\": \"k\"}]}",
        "{\"DBClusterSnapshots\": [{\"DBClusterSnapshotIdentifier\": \"a\", \"DBClusterSnapshotArn\": \"\(arn):a\", \"TagList\": [{\"K\\u0065y\": \"x\"}]}]}",
        // Shapes and values the tree explains.
        "{\"Region\": null, \"DBClusterSnapshots\": []}", "{\"Region\": \"nowhere\", \"DBClusterSnapshots\": []}",
        "{\"CapturedAt\": \"yesterday\", \"DBClusterSnapshots\": []}",
        "{\"DBClusterSnapshots\": [{\"DBClusterSnapshotArn\": \"\(arn):a\"}]}",
        "{\"DBClusterSnapshots\": [{\"DBClusterSnapshotIdentifier\": null, \"DBClusterSnapshotArn\": \"\(arn):a\"}]}",
        "{\"DBClusterSnapshots\": [{\"DBClusterSnapshotIdentifier\": \"a\"}]}",
        "{\"DBClusterSnapshots\": [{\"DBClusterSnapshotIdentifier\": \"a\", \"DBClusterSnapshotArn\": \"arn:aws:rds:us-east-1:1:cluster-snapshot:a\"}]}",
        "{\"DBClusterSnapshots\": [{\"DBClusterSnapshotIdentifier\": \"a\", \"DBClusterSnapshotArn\": \"\(arn):a\", \"PercentProgress\": 100.0}]}",
        "{\"DBClusterSnapshots\": [{\"DBClusterSnapshotIdentifier\": \"a\", \"DBClusterSnapshotArn\": \"\(arn):a\", \"PercentProgress\": 1e2}]}",
        "{\"DBClusterSnapshots\": [{\"DBClusterSnapshotIdentifier\": \"a\", \"DBClusterSnapshotArn\": \"\(arn):a\", \"PercentProgress\": 99999999999999999999}]}",
        "{\"DBClusterSnapshots\": [{\"DBClusterSnapshotIdentifier\": \"a\", \"DBClusterSnapshotArn\": \"\(arn):a\", \"PercentProgress\": 01}]}",
        "{\"DBClusterSnapshots\": [{\"DBClusterSnapshotIdentifier\": \"a\", \"DBClusterSnapshotArn\": \"\(arn):a\", \"PercentProgress\": \"100\"}]}",
        "{\"DBClusterSnapshots\": [{\"DBClusterSnapshotIdentifier\": \"a\", \"DBClusterSnapshotArn\": \"\(arn):a\", \"StorageEncrypted\": \"false\"}]}",
        "{\"DBClusterSnapshots\": [{\"DBClusterSnapshotIdentifier\": \"a\", \"DBClusterSnapshotArn\": \"\(arn):a\", \"Status\": 1}]}",
        "{\"DBClusterSnapshots\": [{\"DBClusterSnapshotIdentifier\": \"a\", \"DBClusterSnapshotArn\": \"\(arn):a\", \"SnapshotCreateTime\": \"2026-13-01T00:00:00Z\"}]}",
        "{\"DBClusterSnapshots\": [{\"DBClusterSnapshotIdentifier\": \"a\", \"DBClusterSnapshotArn\": \"\(arn):a\", \"TagList\": null}]}",
        "{\"DBClusterSnapshots\": [{\"DBClusterSnapshotIdentifier\": \"a\", \"DBClusterSnapshotArn\": \"\(arn):a\", \"TagList\": {}}]}",
        "{\"DBClusterSnapshots\": [{\"DBClusterSnapshotIdentifier\": \"a\", \"DBClusterSnapshotArn\": \"\(arn):a\", \"TagList\": [\"env\"]}]}",
        "{\"DBClusterSnapshots\": [{\"DBClusterSnapshotIdentifier\": \"a\", \"DBClusterSnapshotArn\": \"\(arn):a\", \"TagList\": [{\"Value\": \"x\"}]}]}",
        "{\"DBClusterSnapshots\": [{\"DBClusterSnapshotIdentifier\": \"a\", \"DBClusterSnapshotArn\": \"\(arn):a\", \"TagList\": [{\"Key\": 1}]}]}",
        // Syntax the parser refuses.
        "{\"DBClusterSnapshots\": [{\"DBClusterSnapshotIdentifier\": \"a\\x\"}]}",
        "{\"DBClusterSnapshots\": [{\"DBClusterSnapshotIdentifier\": \"a\nb\"}]}",
        "{\"DBClusterSnapshots\": [{\"DBClusterSnapshotIdentifier\": \"\\ud800\"}]}",
        "{\"DBClusterSnapshots\": [], \"x\": tru}", "{\"DBClusterSnapshots\": [], \"x\": nul}", "{\"DBClusterSnapshots\": [], \"x\": -}",
        "{\"DBClusterSnapshots\": [], \"x\": 1.}", "{\"DBClusterSnapshots\": [], \"x\": 1e}", "{\"DBClusterSnapshots\": [], \"x\": [1,]}",
        "{\"DBClusterSnapshots\": [] \"x\": 1}", "{\"DBClusterSnapshots\" []}", "{'DBClusterSnapshots': []}",
        "{\"Deep\": \(String(repeating: "[", count: 510))\(String(repeating: "]", count: 510)), \"DBClusterSnapshots\": []}",
        "{\"Deep\": \(String(repeating: "[", count: 600))\(String(repeating: "]", count: 600)), \"DBClusterSnapshots\": []}",
    ]

    @Test(arguments: accepted)
    func readsPlainCapturesItself(text: String) throws {
        let bytes = Array(text.utf8)
        let fast = try #require(LiveStateFile.fastCapture(bytes), "the fast reader declined \(text.prefix(120))")
        let tree = try LiveStateFile.parseTree(bytes, file: "f.json")
        Self.expectSame(fast, tree)
        Self.expectAgreement(bytes)
    }

    @Test(arguments: declined)
    func leavesTheRestToTheTree(text: String) {
        let bytes = Array(text.utf8)
        #expect(LiveStateFile.fastCapture(bytes) == nil, "the fast reader accepted \(text.prefix(120))")
        Self.expectAgreement(bytes)
    }

    @Test func invalidUTF8IsTheTreesToReport() {
        for bytes: [UInt8] in [
            Array("{\"DBClusterSnapshots\": [], \"x\": \"".utf8) + [0xC3, 0x28] + Array("\"}".utf8),
            Array("{\"DBClusterSnapshots\": [], \"x\": ".utf8) + [0xFF] + Array("}".utf8),
            Array("{\"DBClusterSnapshots\": [], \"".utf8) + [0xE9] + Array("\": 1}".utf8),
            [0xEF, 0xBB] + Array("{\"DBClusterSnapshots\": []}".utf8),
        ] {
            #expect(LiveStateFile.fastCapture(bytes) == nil)
            Self.expectAgreement(bytes)
        }
    }

    /// Every one-byte deletion, and insertion or replacement of a byte that matters to JSON, of a
    /// small capture: the fast reader never accepts what the tree refuses, nor reads it differently.
    @Test func agreesOnEveryOneByteMutation() {
        let base = Array("{\"Region\":\"us-east-1\",\"DBClusterSnapshots\":[{\"DBClusterSnapshotIdentifier\":\"a\",\"DBClusterSnapshotArn\":\"\(Self.arn):a\",\"PercentProgress\":10,\"StorageEncrypted\":true,\"TagList\":[{\"Key\":\"k\",\"Value\":\"v\\n\"}],\"X\":[null]}]}".utf8)
        let interesting: [UInt8] = Array("\"\\,:{}[]0 e-".utf8) + [0x00, 0x0A, 0xC3, 0xFF]
        var documents: [[UInt8]] = []
        for index in base.indices {
            var deleted = base
            deleted.remove(at: index)
            documents.append(deleted)
            for byte in interesting {
                var inserted = base
                inserted.insert(byte, at: index)
                documents.append(inserted)
                var replaced = base
                replaced[index] = byte
                documents.append(replaced)
            }
        }
        var accepted = 0
        for document in documents {
            if LiveStateFile.fastCapture(document) != nil { accepted += 1 }
            Self.expectAgreement(document)
        }
        #expect(accepted > 0)
    }

    @Test func readsTheExamplesAndTheCorpusAsTheTreeDoes() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let folders = ["examples/live-state", "Tests/Corpus/captures"].map { root.appendingPathComponent($0) }
        var files = 0
        for folder in folders {
            for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) where name.hasSuffix(".json") {
                let bytes = try #require(FileManager.default.contents(atPath: folder.appendingPathComponent(name).path))
                Self.expectAgreement(Array(bytes))
                files += 1
            }
        }
        #expect(files >= 15)
    }

    // MARK: - Helpers

    /// `parse` (fast, else the tree) gives exactly what the tree gives; a fast capture is the tree's.
    static func expectAgreement(_ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) {
        let tree: Result<LiveStateCapture, LiveStateError>
        do { tree = .success(try LiveStateFile.parseTree(bytes, file: "f.json")) } catch { tree = .failure(error) }
        let parsed: Result<LiveStateCapture, LiveStateError>
        do { parsed = .success(try LiveStateFile.parse(bytes, file: "f.json")) } catch { parsed = .failure(error) }
        let shown = String(decoding: bytes.prefix(160), as: UTF8.self)
        switch (parsed, tree) {
        case (.success(let a), .success(let b)):
            expectSame(a, b, sourceLocation: sourceLocation)
        case (.failure(let a), .failure(let b)):
            #expect(a == b, "\(shown)", sourceLocation: sourceLocation)
        case (.success, .failure(let error)):
            Issue.record("parse accepted what the tree refuses (\(error)): \(shown)", sourceLocation: sourceLocation)
        case (.failure(let error), .success):
            Issue.record("parse refused what the tree accepts (\(error)): \(shown)", sourceLocation: sourceLocation)
        }
        if let fast = LiveStateFile.fastCapture(bytes) {
            guard case .success(let reference) = tree else {
                Issue.record("the fast reader accepted what the tree refuses: \(shown)", sourceLocation: sourceLocation)
                return
            }
            expectSame(fast, reference, sourceLocation: sourceLocation)
        }
    }

    static func expectSame(_ a: LiveStateCapture, _ b: LiveStateCapture, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(a.snapshots == b.snapshots, sourceLocation: sourceLocation)
        #expect(a.regions == b.regions, sourceLocation: sourceLocation)
        #expect(a.capturedAt == b.capturedAt, sourceLocation: sourceLocation)
    }
}
