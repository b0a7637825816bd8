import Foundation
import Testing
@testable import NeptuneAPI

/// The pure decisions behind the hostile-response handling, without sockets: which DOCTYPEs are
/// refused, how deep a tree may nest, which snapshot is the one asked for, what is masked.
@Suite("Hostile responses: the pure decisions")
struct HostileDecodingTests {
    @Test("a DOCTYPE with an internal subset is refused wherever the prolog puts it; a plain one is left to the parser", arguments: [
        ("<!DOCTYPE x [<!ENTITY a \"b\">]><x/>", true),
        ("\u{FEFF}<?xml version=\"1.0\"?>\n<!-- c --><?pi x?>\n  <!DOCTYPE x [ ]><x/>", true),
        ("<!DOCTYPE html><html/>", false),
        ("<DescribeDBClusterSnapshotsResponse><!DOCTYPE x [ ]></DescribeDBClusterSnapshotsResponse>", false),
        ("<?xml version=\"1.0\"?><x>&lt;!DOCTYPE [</x>", false),
        ("", false),
    ])
    func doctype(_ text: String, refused: Bool) {
        #expect(XMLTreeParser.declaresEntities(Data(text.utf8)) == refused)
    }

    @Test("nesting: 64 levels parse, 65 stop with an error naming the limit")
    func depth() throws {
        func nested(_ depth: Int) -> Data { Data((String(repeating: "<a>", count: depth) + String(repeating: "</a>", count: depth)).utf8) }
        #expect(throws: Never.self) { try XMLTreeParser.parse(nested(XMLTreeParser.maximumDepth)) }
        #expect(throws: XMLTreeParser.Failure.malformed("elements nested deeper than 64")) { try XMLTreeParser.parse(nested(XMLTreeParser.maximumDepth + 1)) }
    }

    @Test("parser failures say what is wrong", arguments: [
        ("<a><b>text</b>", XMLTreeParser.Failure.unclosedRoot),
        ("<a><b>te", XMLTreeParser.Failure.unclosedRoot),
        ("OK", XMLTreeParser.Failure.malformed("the body does not start with an XML element")),
        ("{\"a\": 1}", XMLTreeParser.Failure.malformed("the body does not start with an XML element")),
        ("<a/>junk", XMLTreeParser.Failure.malformed("content after the root element")),
        ("<a/><b/>", XMLTreeParser.Failure.malformed("content after the root element")),
    ])
    func failures(_ text: String, failure: XMLTreeParser.Failure) {
        #expect(throws: failure) { try XMLTreeParser.parse(Data(text.utf8)) }
    }

    @Test("a snapshot is the one asked for by identifier or ARN, ignoring case, and no other", arguments: [
        ("mine", DBClusterSnapshot(identifier: "mine"), true),
        ("MINE", DBClusterSnapshot(identifier: "mine"), true),
        ("arn:aws:rds:us-east-1:1:cluster-snapshot:mine", DBClusterSnapshot(identifier: "mine", arn: "arn:aws:rds:us-east-1:1:cluster-snapshot:mine"), true),
        ("arn:aws:rds:us-east-1:1:cluster-snapshot:mine", DBClusterSnapshot(identifier: "mine"), true),
        ("arn:aws:rds:us-east-1:1:cluster-snapshot:mine", DBClusterSnapshot(identifier: "arn:aws:rds:us-east-1:1:cluster-snapshot:mine"), true),
        ("arn:aws:rds:us-east-1:1:cluster-snapshot:rds:prod-2024", DBClusterSnapshot(identifier: "rds:prod-2024"), true),
        ("mine", DBClusterSnapshot(arn: "arn:aws:rds:us-east-1:1:cluster-snapshot:mine"), true),
        ("mine", DBClusterSnapshot(identifier: "mine2"), false),
        ("mine", DBClusterSnapshot(identifier: "someone-else", arn: "arn:aws:rds:us-east-1:1:cluster-snapshot:mine"), false),
        ("arn:aws:rds:us-east-1:1:cluster-snapshot:mine", DBClusterSnapshot(identifier: "mine", arn: "arn:aws:rds:us-east-1:2:cluster-snapshot:mine"), false),
        ("mine", DBClusterSnapshot(), false),
        ("mine", DBClusterSnapshot(identifier: ""), false),
    ])
    func identity(_ wanted: String, snapshot: DBClusterSnapshot, matches: Bool) {
        #expect(snapshot.isNamed(wanted) == matches)
        #expect((snapshot.mismatch(for: wanted) == nil) == matches)
    }

    @Test("a filter by cluster refuses another cluster's snapshot")
    func clusterFilter() {
        let request = DescribeDBClusterSnapshotsRequest(clusterIdentifier: "prod")
        #expect(request.mismatch(DBClusterSnapshot(identifier: "s1", clusterIdentifier: "PROD")) == nil)
        #expect(request.mismatch(DBClusterSnapshot(identifier: "s1")) == nil)
        #expect(request.mismatch(DBClusterSnapshot(identifier: "s2", clusterIdentifier: "staging")) == "the request was for snapshots of the cluster prod but the answer has s2 of the cluster staging.")
    }

    @Test("masking covers a secret across the snippet boundary and in its URL and form encodings")
    func masking() {
        let token = "FwoG/secret+token=value0123456789"
        let url = QueryEncoding.percentEncode(token)
        let body = String(repeating: "x", count: 190) + token + " " + QueryEncoding.formEncode("https://h/?X-Amz-Security-Token=\(url)&X-Amz-Signature=\(String(repeating: "ab", count: 32))")
        let masked = HTTPResponse(status: 400, text: body).masking([token])
        let text = String(decoding: masked.body, as: UTF8.self)
        #expect(!text.contains(token) && !text.contains(url) && !text.contains(QueryEncoding.formEncode(url)), "\(text)")
        #expect(!text.contains("abab"), "\(text)")
        let error = NeptuneAPIError.unparseable(response: masked, reason: "r", action: "A", region: "r", service: "Neptune")
        #expect(error.bodySnippet?.hasSuffix("x<redacted>") == true, "\(error.bodySnippet ?? "")")
    }

    @Test("STS too: a 200 whose body is an <ErrorResponse> is that error")
    func stsErrorWith200() async throws {
        let body = "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>no</Message></Error><RequestId>r-1</RequestId></ErrorResponse>"
        let configuration = ClientConfiguration(transport: ScriptedTransport([.xml(body)]), retryPolicy: .none, sleeper: RecordingSleeper())
        let sts = STSClient(region: "us-east-1", credentials: StaticCredentialProvider(suiteCredentials), configuration: configuration)
        await #expect(throws: NeptuneAPIError(code: .accessDenied, wireCode: "AccessDenied", message: "no", requestID: "r-1", httpStatus: 200, action: "AssumeRole", region: "us-east-1", service: "STS", faultType: "Sender")) {
            _ = try await sts.assumeRole(roleARN: "arn:aws:iam::1:role/r", sessionName: "s")
        }
    }
}
