import Foundation
import Testing
@testable import NeptuneAPI

@Suite("SigV4 against the AWS test suite")
struct SigV4Tests {
    let signer = SigV4(credentials: suiteCredentials, region: "us-east-1", service: "service")

    private func request(_ vector: SigV4SuiteCase) throws -> HTTPRequest {
        let url = try #require(URL(string: vector.url))
        var headers = vector.headers
        headers["X-Amz-Date"] = "20150830T123600Z"
        return HTTPRequest(method: vector.method, url: url, headers: headers, body: Data(vector.body.utf8))
    }

    @Test("canonical request", arguments: SigV4Suite.cases)
    func canonicalRequest(_ vector: SigV4SuiteCase) throws {
        #expect(signer.canonicalRequest(for: try request(vector)).canonicalRequest == vector.canonicalRequest)
    }

    @Test("string to sign", arguments: SigV4Suite.cases)
    func stringToSign(_ vector: SigV4SuiteCase) {
        #expect(signer.stringToSign(canonicalRequest: vector.canonicalRequest, at: suiteDate) == vector.stringToSign)
    }

    @Test("signature and Authorization header", arguments: SigV4Suite.cases)
    func authorization(_ vector: SigV4SuiteCase) throws {
        let signed = signer.sign(try request(vector), at: suiteDate)
        #expect(signed.header("Authorization") == vector.authorization)
        #expect(signed.header("x-amz-date") == "20150830T123600Z")
        #expect(signed.header("x-amz-security-token") == nil)
        let signature = signer.signature(stringToSign: vector.stringToSign, at: suiteDate)
        #expect(vector.authorization.hasSuffix("Signature=\(signature)"))
    }

    @Test("signing key matches the AWS documentation example")
    func signingKey() {
        // From the AWS General Reference "Examples of how to derive a signing key" (service iam).
        let iam = SigV4(credentials: suiteCredentials, region: "us-east-1", service: "iam")
        #expect(SigV4.hex(iam.signingKey(at: suiteDate).withUnsafeBytes { Array($0) }) == "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9")
        #expect(SigV4.hex(signer.signingKey(at: suiteDate).withUnsafeBytes { Array($0) }) == "938127b5336810ddb6a5d6af445fcac9e371f9ed418ed386b022aed82901be75")
    }

    @Test("timestamps, date stamps and scope")
    func dates() {
        #expect(SigV4.timestamp(suiteDate) == "20150830T123600Z")
        #expect(SigV4.dateStamp(suiteDate) == "20150830")
        #expect(signer.credentialScope(at: suiteDate) == "20150830/us-east-1/service/aws4_request")
        #expect(SigV4.timestamp(Date(timeIntervalSince1970: 951_782_400)) == "20000229T000000Z")
        #expect(SigV4.timestamp(Date(timeIntervalSince1970: 1_704_067_199.999)) == "20231231T235959Z")
    }

    @Test("a session token is sent and signed")
    func sessionToken() throws {
        var credentials = suiteCredentials
        credentials.sessionToken = "token/with+chars="
        let signer = SigV4(credentials: credentials, region: "us-east-1", service: "service")
        let url = try #require(URL(string: "https://example.amazonaws.com/"))
        let signed = signer.sign(HTTPRequest(method: "GET", url: url), at: suiteDate)
        #expect(signed.header("x-amz-security-token") == "token/with+chars=")
        #expect(signed.header("authorization")?.contains("SignedHeaders=host;x-amz-date;x-amz-security-token,") == true)
    }

    @Test("user-agent and content-length are never signed; the host carries a non-default port")
    func unsignedHeaders() throws {
        let url = try #require(URL(string: "http://127.0.0.1:5000/"))
        let request = HTTPRequest(method: "POST", url: url, headers: ["User-Agent": "snapcopy/1", "Content-Length": "3", "Content-Type": "x"], body: Data("a=b".utf8))
        let canonical = signer.canonicalRequest(for: request)
        #expect(canonical.signedHeaders == "content-type;host")
        #expect(canonical.canonicalRequest.contains("host:127.0.0.1:5000\n"))
        #expect(SigV4.hostHeader(for: try #require(URL(string: "https://rds.us-east-1.amazonaws.com:443/"))) == "rds.us-east-1.amazonaws.com")
    }

    @Test("re-signing replaces the previous signature")
    func resign() throws {
        let url = try #require(URL(string: "https://example.amazonaws.com/"))
        let once = signer.sign(HTTPRequest(method: "GET", url: url), at: suiteDate)
        let twice = signer.sign(once, at: suiteDate)
        #expect(once.header("authorization") == twice.header("authorization"))
    }
}
