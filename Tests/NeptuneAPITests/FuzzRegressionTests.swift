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

/// The API client's fuzz targets' checks (``APIFuzzChecks``) on every saved regression input and
/// on a few tricky hand-made ones: each must give a clean error or a result, never a crash or a hang.
@Suite("Fuzz regressions of the API client: XML responses, Query encoding")
struct APIFuzzRegressionTests {
    static let describe = #"<DescribeDBClusterSnapshotsResponse><DescribeDBClusterSnapshotsResult><DBClusterSnapshots><DBClusterSnapshot><DBClusterSnapshotArn>arn:aws:rds:us-east-1:123456789012:cluster-snapshot:s1</DBClusterSnapshotArn><SnapshotCreateTime>9999-12-31T23:59:60.999999999-23:59</SnapshotCreateTime><PercentProgress>99999999999999999999</PercentProgress></DBClusterSnapshot></DBClusterSnapshots><Marker>again</Marker></DescribeDBClusterSnapshotsResult></DescribeDBClusterSnapshotsResponse>"#

    static let xml = FuzzInput.inputs("XMLResponse", [
        FuzzInput("empty", ""),
        FuzzInput("an open root", "<DescribeDBClusterSnapshotsResponse>"),
        FuzzInput("a marker that repeats, odd timestamps and numbers", describe),
        FuzzInput("content after the root", "<ListTagsForResourceResponse/><x/>"),
        FuzzInput("1,000 levels", String(repeating: "<a>", count: 1000) + String(repeating: "</a>", count: 1000)),
        FuzzInput("entity expansion", #"<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]><ErrorResponse><Error><Code>&d;</Code></Error></ErrorResponse>"#),
        FuzzInput("external entity", #"<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/hostname">]><ErrorResponse><Error><Code>C</Code><Message>&x;</Message></Error></ErrorResponse>"#),
        FuzzInput("C1 control characters in an error", "<ErrorResponse><Error><Code>C\u{9B}31m</Code><Message>red\u{9B}0m\u{85}</Message><Type>\u{7F}</Type></Error><RequestId>\u{9B}2J</RequestId></ErrorResponse>"),
        FuzzInput("HTML", "<!doctype html><html><body>500</body></html>"),
        FuzzInput("UTF-16 with a byte order mark", [0xFF, 0xFE] + Array("<a/>".utf8).flatMap { [$0, 0] }),
        FuzzInput("NUL bytes", [0x3C, 0x61, 0x3E, 0x00, 0x3C, 0x2F, 0x61, 0x3E]),
    ])

    @Test("XML response decoding through the client", .timeLimit(.minutes(1)), arguments: xml)
    func xmlResponse(_ input: FuzzInput) async throws {
        try await APIFuzzChecks.xmlResponse(input.bytes)
    }

    static let queries = FuzzInput.inputs("QueryRoundTrip", [
        FuzzInput("nothing", ""),
        FuzzInput("one NUL: an empty name and value", [0]),
        FuzzInput("separators and escapes", "&=+%\0%41%2b + =&"),
        FuzzInput("invalid UTF-8", [0xFF, 0xFE, 0x80, 0x20, 0xED, 0xA0, 0x80, 0x00, 0xF0, 0x9F, 0x98]),
        FuzzInput("emoji, combining marks and a line break", "Tags.Tag.1.Value\0\u{1F600}e\u{301}\r\n\t~*'()!"),
        FuzzInput("odd number of fields", "A\0b\0C"),
    ])

    @Test("Query encoding round trip", arguments: queries)
    func queryRoundTrip(_ input: FuzzInput) throws {
        try APIFuzzChecks.queryRoundTrip(input.bytes)
    }
}
