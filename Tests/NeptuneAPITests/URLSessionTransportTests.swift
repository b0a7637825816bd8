import Foundation
import Testing
@testable import NeptuneAPI

@Suite("URLSessionTransport")
struct URLSessionTransportTests {
    @Test("a refused connection is a clear, retryable-before-sending transport error")
    func refused() async throws {
        // Port 1 on loopback has no listener: the connection is refused at once.
        let endpoint = try #require(URL(string: "http://127.0.0.1:1/"))
        let configuration = ClientConfiguration(transport: URLSessionTransport(requestTimeout: 5), retryPolicy: .none)
        let neptune = NeptuneClient(region: "us-east-1", endpoint: endpoint, credentials: StaticCredentialProvider(suiteCredentials), configuration: configuration)
        do {
            _ = try await neptune.listTagsForResource(arn: "arn:x")
            Issue.record("expected an error")
        } catch let error as TransportError {
            #expect(error.kind == .cannotConnect)
            #expect(RetryPolicy.reason(for: error) == .cannotConnect)
            #expect(error.description.hasPrefix("ListTagsForResource in us-east-1 failed: the request to 127.0.0.1 cannot connect"))
        }
    }

    @Test("URL errors map to transport error kinds without keeping the URL")
    func mapping() throws {
        let url = try #require(URL(string: "https://rds.us-east-1.amazonaws.com/?X-Amz-Signature=secret"))
        let error = TransportError(urlError: URLError(.timedOut, userInfo: [NSURLErrorFailingURLErrorKey: url]), host: "rds.us-east-1.amazonaws.com")
        #expect(error.kind == .timedOut)
        #expect(!error.description.contains("Signature"))
        #expect(TransportError(urlError: URLError(.networkConnectionLost), host: nil).kind == .connectionLost)
        #expect(TransportError(urlError: URLError(.dnsLookupFailed), host: nil).kind == .cannotConnect)
        #expect(TransportError(urlError: URLError(.badURL), host: nil).kind == .other)
    }
}
