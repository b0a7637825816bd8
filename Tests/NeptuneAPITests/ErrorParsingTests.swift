import Foundation
import Testing
@testable import NeptuneAPI

@Suite("Error bodies")
struct ErrorParsingTests {
    private func parse(_ body: String, status: Int, headers: [String: String] = [:], action: String = "CopyDBClusterSnapshot") -> NeptuneAPIError {
        NeptuneAPIError.from(response: HTTPResponse(status: status, headers: headers, text: body), action: action, region: "eu-west-1", service: "Neptune")
    }

    @Test("moto's not-found error")
    func notFound() {
        let error = parse(XMLFixtures.motoNotFound, status: 404)
        #expect(error.code == .dbClusterSnapshotNotFound)
        #expect(error.wireCode == "DBClusterSnapshotNotFoundFault")
        #expect(error.message == "DBClusterSnapshot nope not found.")
        #expect(error.requestID == "0bsOdahwOyxJFKhYGiAqia4CRREY1oglCcO0qZ3YdA4sNYDfHZxc")
        #expect(error.httpStatus == 404)
        #expect(error.faultType == "Sender")
        #expect(error.action == "CopyDBClusterSnapshot")
        #expect(error.region == "eu-west-1")
        #expect(error.description == "Neptune CopyDBClusterSnapshot in eu-west-1 failed: DBClusterSnapshotNotFoundFault (HTTP 404): DBClusterSnapshot nope not found. (request ID 0bsOdahwOyxJFKhYGiAqia4CRREY1oglCcO0qZ3YdA4sNYDfHZxc)")
    }

    @Test("wire codes and their aliases normalise to one code", arguments: [
        ("DBClusterSnapshotNotFoundFault", NeptuneAPIError.Code.dbClusterSnapshotNotFound),
        ("DBClusterSnapshotNotFound", .dbClusterSnapshotNotFound),
        ("DBClusterSnapshotAlreadyExistsFault", .dbClusterSnapshotAlreadyExists),
        ("DBClusterSnapshotAlreadyExists", .dbClusterSnapshotAlreadyExists),
        ("SnapshotQuotaExceeded", .snapshotQuotaExceeded),
        ("SnapshotQuotaExceededFault", .snapshotQuotaExceeded),
        ("KMSKeyNotAccessibleFault", .kmsKeyNotAccessible),
        ("InvalidDBClusterSnapshotStateFault", .invalidDBClusterSnapshotState),
        ("InvalidDBClusterSnapshotState", .invalidDBClusterSnapshotState),
        ("Throttling", .throttling),
        ("ThrottlingException", .throttling),
        ("RequestLimitExceeded", .throttling),
        ("TooManyRequestsException", .throttling),
        ("SlowDown", .throttling),
        ("AccessDenied", .accessDenied),
        ("AccessDeniedException", .accessDenied),
        ("SignatureDoesNotMatch", .signatureDoesNotMatch),
        ("InvalidClientTokenId", .invalidClientTokenID),
        ("UnrecognizedClientException", .invalidClientTokenID),
        ("ExpiredToken", .expiredToken),
        ("ExpiredTokenException", .expiredToken),
        ("InvalidIdentityToken", .invalidIdentityToken),
    ])
    func aliases(_ wire: String, _ code: NeptuneAPIError.Code) {
        let error = parse(XMLFixtures.error(wire), status: 400)
        #expect(error.code == code)
        #expect(error.wireCode == wire)
    }

    /// Found by the XMLResponse fuzz check (on a hand-made input): the texts of an error body went to the terminal as sent.
    @Test("control characters in an error body's texts become spaces")
    func controlCharactersArePrintable() {
        let body = "<ErrorResponse><Error><Type>Sender\u{7F}</Type><Code>Bad\u{9B}31m</Code><Message>line one&#xA;line two \u{9B}2J\u{85}</Message></Error><RequestId>r\u{9B}1</RequestId></ErrorResponse>"
        let error = parse(body, status: 400)
        #expect(error.wireCode == "Bad 31m")
        #expect(error.message == "line one line two  2J ")
        #expect(error.faultType == "Sender ")
        #expect(error.requestID == "r 1")
        #expect(!error.description.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) })
    }

    @Test("an unknown code keeps its raw value")
    func unknownCode() {
        let error = parse(XMLFixtures.error("SomethingNew", message: "new"), status: 400)
        #expect(error.code.rawValue == "SomethingNew")
        #expect(error.code == NeptuneAPIError.Code(wire: "SomethingNew"))
    }

    @Test("real-format throttling, STS access denied and EC2-style errors")
    func realFormats() {
        let throttled = parse(XMLFixtures.awsThrottling, status: 400)
        #expect(throttled.isThrottling)
        #expect(throttled.requestID == "7a1b2c3d-0000-4000-8000-00000000000a")
        #expect(throttled.description.contains("lower --parallelism"))

        let denied = NeptuneAPIError.from(response: HTTPResponse(status: 403, text: XMLFixtures.awsSTSAccessDenied), action: "AssumeRole", region: "us-east-1", service: "STS")
        #expect(denied.code == .accessDenied)
        #expect(denied.description.hasPrefix("STS AssumeRole in us-east-1 failed: AccessDenied (HTTP 403): User: arn:aws:iam::111111111111:user/ci is not authorized"))
        #expect(denied.description.contains("Check the IAM policy"))

        let ec2 = parse(XMLFixtures.ec2StyleError, status: 503)
        #expect(ec2.code == .throttling)
        #expect(ec2.requestID == "ec2-req-1")
    }

    struct BadBody: Sendable, CustomTestStringConvertible {
        let name: String
        let status: Int
        let body: String
        let snippetPrefix: String
        var testDescription: String { name }
    }

    @Test("non-XML bodies become a clear error with the status and a sanitised snippet", arguments: [
        BadBody(name: "moto HTML 500", status: 500, body: XMLFixtures.motoHTML500, snippetPrefix: "<!doctype html> <html lang=en> <title>500 Internal Server Error</title>"),
        BadBody(name: "proxy text with control characters", status: 502, body: XMLFixtures.proxyError, snippetPrefix: "502 Bad Gateway upstream connect error or disconnect/reset before headers [0m"),
        BadBody(name: "empty", status: 503, body: "", snippetPrefix: ""),
        BadBody(name: "truncated XML", status: 500, body: "<ErrorResponse><Error><Code>Thrott", snippetPrefix: "<ErrorResponse><Error><Code>Thrott"),
        BadBody(name: "XML without a code", status: 400, body: "<ErrorResponse><Error><Message>no code</Message></Error></ErrorResponse>", snippetPrefix: "<ErrorResponse><Error><Message>no code</Message></Error></ErrorResponse>"),
    ])
    func unparseable(_ bad: BadBody) {
        let status = bad.status
        let snippetPrefix = bad.snippetPrefix
        let error = parse(bad.body, status: status)
        #expect(error.code == .unparseableResponse)
        #expect(error.httpStatus == status)
        #expect(error.wireCode == nil)
        if snippetPrefix.isEmpty {
            #expect(error.bodySnippet == nil)
            #expect(error.description.contains("the body is empty"))
        } else {
            #expect(error.bodySnippet?.hasPrefix(snippetPrefix) == true, "\(error.bodySnippet ?? "nil")")
        }
        #expect(error.description.hasPrefix("Neptune CopyDBClusterSnapshot in eu-west-1 failed with HTTP \(status):"))
        #expect(!error.description.contains("\n"))
        #expect(!error.description.contains("\u{0}"))
    }

    @Test("the snippet is at most 200 characters and survives invalid UTF-8")
    func snippetLimit() {
        var body = Data(String(repeating: "x", count: 1000).utf8)
        body.insert(contentsOf: [0xFF, 0xFE, 0x0A], at: 0)
        let snippet = NeptuneAPIError.sanitizedSnippet(body)
        #expect(snippet.count == 200)
        #expect(snippet.hasPrefix("\u{FFFD}\u{FFFD} x"))
    }

    @Test("Retry-After (seconds) and x-amz-retry-after (milliseconds) are read")
    func retryAfter() {
        #expect(parse(XMLFixtures.awsThrottling, status: 400, headers: ["Retry-After": "7"]).retryAfter == .seconds(7))
        #expect(parse(XMLFixtures.awsThrottling, status: 400, headers: ["x-amz-retry-after": "1500"]).retryAfter == .milliseconds(1500))
        #expect(parse(XMLFixtures.awsThrottling, status: 400, headers: ["Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"]).retryAfter == nil)
        #expect(parse(XMLFixtures.motoHTML500, status: 503, headers: ["Retry-After": "3"]).retryAfter == .seconds(3))
    }
}
