import Foundation
import Testing
import TestSupport
@testable import NeptuneAPI

/// The real transport against local peers: failures name the host and port and the timeout that
/// expired; bodies are bounded; shut down means shut down.
@Suite("AsyncHTTPTransport against local peers")
struct AsyncHTTPTransportTests {
    @Test("a refused connection names the host and port and is classified cannot-connect")
    func refused() async throws {
        let port = try { let listener = try SilentListener(); return listener.port }()  // closed again
        try await withAsyncHTTPTransport { transport in
            do {
                _ = try await transport.send(HTTPRequest(method: "GET", url: URL(string: "http://127.0.0.1:\(port)/")!))
                Issue.record("expected a failure")
            } catch let error as TransportError {
                #expect(error.kind == .cannotConnect)
                #expect(error.description.contains("the request to 127.0.0.1:\(port) could not connect (connection refused)"), "\(error)")
                #expect(RetryPolicy.reason(for: error) == .cannotConnect)
            }
        }
    }

    @Test("a peer that never answers: the read timeout and the request timeout are named")
    func silentPeer() async throws {
        let silent = try SilentListener()
        let url = URL(string: "http://127.0.0.1:\(silent.port)/")!
        try await withAsyncHTTPTransport(settings: TransportSettings(readTimeout: .milliseconds(300))) { transport in
            do {
                _ = try await transport.send(HTTPRequest(method: "GET", url: url))
                Issue.record("expected a timeout")
            } catch let error as TransportError {
                #expect(error.kind == .timedOut)
                #expect(error.description.contains("127.0.0.1:\(silent.port) timed out (no data for the read timeout of 0.3 s)"), "\(error)")
            }
        }
        try await withAsyncHTTPTransport { transport in
            do {
                _ = try await transport.send(HTTPRequest(method: "GET", url: url, timeout: .milliseconds(300)))
                Issue.record("expected a timeout")
            } catch let error as TransportError {
                #expect(error.kind == .timedOut)
                #expect(error.description.contains("timed out (no complete response within the request timeout of 0.3 s)"), "\(error)")
            }
        }
    }

    @Test("a body over the limit is refused with its own kind, which is not retried")
    func boundedBodies() async throws {
        try await withFakeEdge(.imds) { edge in
            let url = edge.endpoint.appendingPathComponent("_edge/stats")
            try await withAsyncHTTPTransport(settings: TransportSettings(maximumResponseBytes: 16)) { transport in
                do {
                    _ = try await transport.send(HTTPRequest(method: "GET", url: url))
                    Issue.record("expected a refusal")
                } catch let error as TransportError {
                    #expect(error.kind == .responseTooLarge)
                    #expect(RetryPolicy.reason(for: error) == nil)
                }
            }
            try await withAsyncHTTPTransport { transport in
                for _ in 0..<3 {
                    let response = try await transport.send(HTTPRequest(method: "GET", url: url))
                    #expect(response.status == 200)
                }
            }
        }
    }

    @Test("after shutdown every request fails at once")
    func shutdown() async throws {
        let transport = try AsyncHTTPTransport()
        await transport.shutdown()
        await transport.shutdown()
        await #expect(throws: TransportError.self) {
            try await transport.send(HTTPRequest(method: "GET", url: URL(string: "http://127.0.0.1:9/")!))
        }
    }
}
