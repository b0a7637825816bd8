import Foundation
import Testing
import TestSupport
@testable import NeptuneAPI

/// The API client against a hostile endpoint (`Tests/FakeNeptune/hostile_server.py`) over real
/// sockets and the real transport: every misbehaviour gives a clear error or a correct result,
/// within a time bound, never a hang or a crash.
///
/// Timeouts are short (0.4 s of silence for the stalls, 1.5 s a request for the trickle) so the
/// suite runs in seconds; retries wait through a recording sleeper, never for real.
@Suite("Hostile responses over real sockets")
struct HostileResponseTests {
    // MARK: - Baseline and unknown elements

    @Test("a well-behaved answer decodes (the baseline every other scenario departs from)")
    func baseline() async throws {
        let run = try await HostileRun(.ok)
        let snapshots = try await run.expectSuccess { try await $0.describeDBClusterSnapshots() }
        #expect(snapshots.map(\.identifier) == ["snap-1", "snap-2"])
        #expect(try await run.client.describeDBClusterSnapshot(identifier: "arn:aws:rds:us-east-1:123456789012:cluster-snapshot:Mine")?.identifier == "Mine", "an ARN matches the identifier it ends with, ignoring case")
    }

    @Test("unknown elements, attributes, comments and processing instructions are ignored: the same result as the plain answer")
    func unknownElements() async throws {
        let plain = try await HostileRun(.ok).expectSuccess { try await $0.describeDBClusterSnapshots() }
        let run = try await HostileRun(.unknownElements)
        let snapshots = try await run.expectSuccess { try await $0.describeDBClusterSnapshots() }
        #expect(snapshots == plain)
        #expect(snapshots.first?.status == "available")
        #expect(snapshots.first?.snapshotCreateTime == Date(timeIntervalSince1970: 1_714_532_400))
        #expect(try await run.stats().requests == 1, "a <Marker> inside an unknown element is not a pagination marker")
    }

    // MARK: - Broken bodies

    @Test("truncated XML (with a matching Content-Length): an error saying so, with the start of the body; not retried")
    func truncated() async throws {
        let run = try await HostileRun(.truncated)
        let error = try await run.expectAPIError { try await $0.describeDBClusterSnapshots() }
        #expect(error.code == .unparseableResponse)
        #expect(error.httpStatus == 200)
        #expect(error.description.hasPrefix("Neptune DescribeDBClusterSnapshots in us-east-1 failed with HTTP 200: the response is truncated (Content-Type text/xml). Body starts with: \"<?xml version="), "\(error)")
        #expect(try await run.stats().requests == 1)
    }

    struct WrongType: Sendable, CustomTestStringConvertible {
        var scenario: HostileServer.Scenario
        var message: String
        var testDescription: String { scenario.rawValue }
    }

    @Test("a 200 that is not XML, or not the action's XML, names what came back; not retried", arguments: [
        WrongType(scenario: .json, message: "the response is not well-formed XML (the body does not start with an XML element) (Content-Type application/json). Body starts with: \"{\"DescribeDBClusterSnapshotsResponse\": {\"DBClusterSnapshots\": []}}\""),
        WrongType(scenario: .textPlain, message: "the response is not well-formed XML (the body does not start with an XML element) (Content-Type text/plain). Body starts with: \"OK\""),
        WrongType(scenario: .html200, message: "expected <DescribeDBClusterSnapshotsResponse> but got <html> (Content-Type text/html). Body starts with: \"<!DOCTYPE html><html><head><title>Sign in to the guest Wi-Fi</title>"),
    ])
    func wrongContentType(_ row: WrongType) async throws {
        let run = try await HostileRun(row.scenario)
        let error = try await run.expectAPIError { try await $0.describeDBClusterSnapshots() }
        #expect(error.code == .unparseableResponse)
        #expect(error.description.hasPrefix("Neptune DescribeDBClusterSnapshots in us-east-1 failed with HTTP 200: " + row.message), "\(error)")
        #expect(try await run.stats().requests == 1)
    }

    @Test("the right XML under a wrong Content-Type (text/plain) is the answer: the body decides, as in botocore")
    func xmlAsText() async throws {
        let snapshots = try await HostileRun(.xmlAsText).expectSuccess { try await $0.describeDBClusterSnapshots() }
        #expect(snapshots.map(\.identifier) == ["snap-1", "snap-2"])
    }

    @Test("a DTD with nested entities (billion laughs) is refused before it is expanded")
    func entityBomb() async throws {
        let run = try await HostileRun(.entityBomb)
        let error = try await run.expectAPIError { try await $0.describeDBClusterSnapshots() }
        #expect(error.code == .unparseableResponse)
        #expect(error.description.hasPrefix("Neptune DescribeDBClusterSnapshots in us-east-1 failed with HTTP 200: the response is not well-formed XML (its DOCTYPE declares entities, which no AWS answer has)"), "\(error)")
    }

    @Test("100,000 nested unknown elements: a clear error, no stack overflow")
    func deepNesting() async throws {
        let run = try await HostileRun(.deepNesting)
        let error = try await run.expectAPIError { try await $0.describeDBClusterSnapshots() }
        #expect(error.code == .unparseableResponse)
        #expect(error.description.hasPrefix("Neptune DescribeDBClusterSnapshots in us-east-1 failed with HTTP 200: the response is not well-formed XML (elements nested deeper than 64)"), "\(error)")
    }

    // MARK: - Size

    @Test("a 100 MB body is refused at once from its Content-Length, naming the limit, without reading it")
    func hugeWithLength() async throws {
        let run = try await HostileRun(.huge)
        let error = try await run.expectTransportError { try await $0.describeDBClusterSnapshots() }
        #expect(error.kind == .responseTooLarge)
        #expect(error.description.hasPrefix("DescribeDBClusterSnapshots in us-east-1 failed: the request to 127.0.0.1:\(run.port) got a response that is too large (the body is larger than the 8 MiB snapcopy accepts; it was not read further)."), "\(error)")
        let stats = try await run.stats()
        #expect(stats.requests == 1, "not retried")
        #expect(stats.bytesSent < 16 * 1_048_576, "the server wrote \(stats.bytesSent) bytes")
    }

    @Test("an endless chunked body is cut at the limit: the client reads at most the limit, not 100 MB")
    func hugeChunked() async throws {
        let run = try await HostileRun(.hugeChunked)
        let error = try await run.expectTransportError { try await $0.describeDBClusterSnapshots() }
        #expect(error.kind == .responseTooLarge)
        #expect(error.description.contains("(the body is larger than the 8 MiB snapcopy accepts; it was not read further)"), "\(error)")
        let stats = try await run.stats()
        #expect(stats.requests == 1, "not retried")
        #expect(stats.bytesSent < 8 * 1_048_576 + 8 * 1_048_576, "the server wrote \(stats.bytesSent) bytes (limit plus socket buffers at most)")
    }

    // MARK: - Error pages and error bodies

    struct ErrorPage: Sendable, CustomTestStringConvertible {
        var scenario: HostileServer.Scenario
        var status: Int
        var title: String
        var testDescription: String { scenario.rawValue }
    }

    @Test("a load balancer's HTML error page says what came back and is retried (502/503), up to the attempt budget", arguments: [
        ErrorPage(scenario: .html502, status: 502, title: "502 Bad Gateway"),
        ErrorPage(scenario: .html503, status: 503, title: "503 Service Temporarily Unavailable"),
    ])
    func htmlErrorPage(_ page: ErrorPage) async throws {
        let run = try await HostileRun(page.scenario)
        let error = try await run.expectAPIError { try await $0.describeDBClusterSnapshots() }
        #expect(error.code == .unparseableResponse)
        #expect(error.httpStatus == page.status)
        #expect(error.description.hasPrefix("Neptune DescribeDBClusterSnapshots in us-east-1 failed with HTTP \(page.status): the error body is <html>, not an AWS error document (Content-Type text/html). Body starts with: \"<html> <head><title>\(page.title)</title></head>"), "\(error)")
        #expect(error.description.hasSuffix("Check the endpoint URL and any proxy between snapcopy and AWS."))
        #expect(try await run.stats().requests == 5, "retried: 5 attempts in all")
        #expect(await run.sleeper.sleeps.count == 4)
    }

    @Test("a 200 whose body is an <ErrorResponse> is that error (AccessDenied: not retried)")
    func errorWith200() async throws {
        let run = try await HostileRun(.error200)
        let error = try await run.expectAPIError { try await $0.describeDBClusterSnapshots() }
        #expect(error.code == .accessDenied)
        #expect(error.httpStatus == 200)
        #expect(error.requestID == "hostile-error-1")
        #expect(error.description == "Neptune DescribeDBClusterSnapshots in us-east-1 failed: AccessDenied (HTTP 200): User is not authorized to perform: rds:DescribeDBClusterSnapshots. Check the IAM policy of the credentials (or assumed role) in use. (request ID hostile-error-1)")
        #expect(try await run.stats().requests == 1)
        #expect(run.logs.entries.map(\.errorCode) == ["AccessDenied"])
    }

    @Test("a 200 whose body is a Throttling <ErrorResponse> is retried as throttling, then the answer is used")
    func throttlingWith200() async throws {
        let run = try await HostileRun(.throttle200)
        let snapshots = try await run.expectSuccess { try await $0.describeDBClusterSnapshots() }
        #expect(snapshots.map(\.identifier) == ["snap-1", "snap-2"])
        #expect(try await run.stats().requests == 3)
        #expect(run.logs.entries.map(\.errorCode) == ["Throttling", "Throttling", nil])
        #expect(await run.sleeper.sleeps == [.milliseconds(500), .seconds(1)], "the throttling backoff (1 s base) at jitter 0.5")
    }

    @Test("an error page quoting the request (token, Authorization header, body) is shown with the secrets and the signature masked")
    func echoedRequest() async throws {
        let token = "FwoGZXIvYXdz/Hostile+Session=Token0123456789abcdef"
        let credentials = Credentials(accessKeyID: "ASIAHOSTILEECHO00001", secretAccessKey: suiteCredentials.secretAccessKey, sessionToken: token)
        let run = try await HostileRun(.echo, retryPolicy: .none, credentials: credentials)
        let error = try await run.expectAPIError {
            try await $0.copyDBClusterSnapshot(CopyDBClusterSnapshotRequest(sourceIdentifier: "snap-1", targetIdentifier: "my-copy", sourceRegion: "us-west-2"))
        }
        #expect(error.httpStatus == 400)
        let text = error.description + (error.bodySnippet ?? "")
        #expect(text.hasPrefix("Neptune CopyDBClusterSnapshot in us-east-1 failed with HTTP 400: the error body is not XML (Content-Type text/html). Body starts with: \"<html><pre>Signature=<redacted> x-amz-security-token: <redacted> authorization: AWS4-HMAC-SHA256 Credential=ASIAHOSTILEECHO00001/20240501/us-east-1/rds/aws4_request, SignedHeaders="), "\(error)")
        #expect(text.contains("Signature=<redacted>"), "\(error)")
        for form in [token, QueryEncoding.percentEncode(token), QueryEncoding.formEncode(QueryEncoding.percentEncode(token))] {
            #expect(!text.contains(form), "leaked \(form): \(text)")
        }
        #expect(!text.contains(suiteCredentials.secretAccessKey))
        #expect(text.firstMatch(of: #/[0-9a-f]{64}/#) == nil, "no signature-shaped hex: \(text)")
    }

    // MARK: - Pagination

    @Test("the same marker returned again stops the listing, naming action and region; not retried")
    func sameMarker() async throws {
        let run = try await HostileRun(.sameMarker)
        let error = try await run.expectAPIError { try await $0.describeDBClusterSnapshots() }
        #expect(error.code == .unparseableResponse)
        #expect(error.description.hasPrefix("Neptune DescribeDBClusterSnapshots in us-east-1 failed with HTTP 200: page 2 has the same pagination marker as page 1, so the pages would repeat forever; stopped after 2 pages."), "\(error)")
        let stats = try await run.stats()
        #expect(stats.markers == [nil, "page-1"])
    }

    @Test("markers that cycle (a, b, a) are caught on the first repeat")
    func markerCycle() async throws {
        let run = try await HostileRun(.markerCycle)
        let error = try await run.expectAPIError { try await $0.describeDBClusterSnapshots() }
        #expect(error.description.contains("failed with HTTP 200: page 3 has the same pagination marker as page 1"), "\(error)")
        #expect(try await run.stats().markers == [nil, "a", "b"])
    }

    @Test("markers that never end stop at the page cap (the default, 1,000 pages), naming it, the action and the region")
    func endlessMarkers() async throws {
        let run = try await HostileRun(.endlessMarkers)
        let error = try await run.expectAPIError(within: .seconds(30)) { try await $0.describeDBClusterSnapshots() }
        #expect(error.code == .unparseableResponse)
        #expect(error.description.hasPrefix("Neptune DescribeDBClusterSnapshots in us-east-1 failed with HTTP 200: the service sent a pagination marker on each of 1000 pages, the most snapcopy follows (100000 snapshots at 100 a page); stopped."), "\(error)")
        #expect(try await run.stats().requests == 1000)

        let capped = try await HostileRun(.endlessMarkers, maximumPages: 3)
        let early = try await capped.expectAPIError { try await $0.describeDBClusterSnapshots() }
        #expect(early.description.contains("on each of 3 pages, the most snapcopy follows (300 snapshots at 100 a page)"), "\(early)")
    }

    // MARK: - Stalls

    struct Stall: Sendable, CustomTestStringConvertible {
        var scenario: HostileServer.Scenario
        var detail: String
        var testDescription: String { scenario.rawValue }
    }

    @Test("a server that stalls mid-headers or mid-body: the read timeout fires (0.4 s), the attempt is retried, the call fails", arguments: [
        Stall(scenario: .stallHeaders, detail: "no data for the read timeout of 0.4 s"),
        Stall(scenario: .stallBody, detail: "no data for the read timeout of 0.4 s"),
    ])
    func stall(_ stall: Stall) async throws {
        let run = try await HostileRun(stall.scenario, retryPolicy: RetryPolicy(maxAttempts: 2), settings: HostileRun.stallSettings)
        let error = try await run.expectTransportError(within: .seconds(5)) { try await $0.describeDBClusterSnapshots() }
        #expect(error.kind == .timedOut)
        #expect(error.description.hasPrefix("DescribeDBClusterSnapshots in us-east-1 failed: the request to 127.0.0.1:\(run.port) timed out (\(stall.detail))."), "\(error)")
        #expect(try await run.stats().requests == 2, "retried once")
    }

    @Test("a server that trickles its body (a byte every 100 ms, never silent for the read timeout): the request timeout ends it")
    func trickle() async throws {
        // The read timeout is well above the trickle's 100 ms gaps (a loaded machine stretches them)
        // and above the request timeout, so only the request timeout can end the call.
        let settings = TransportSettings(connectTimeout: .seconds(2), readTimeout: .seconds(3), requestTimeout: .milliseconds(1500))
        let run = try await HostileRun(.trickle, retryPolicy: .none, settings: settings)
        let error = try await run.expectTransportError(within: .seconds(5)) { try await $0.describeDBClusterSnapshots() }
        #expect(error.kind == .timedOut)
        #expect(error.description.hasPrefix("DescribeDBClusterSnapshots in us-east-1 failed: the request to 127.0.0.1:\(run.port) timed out (no complete response within the request timeout of 1.5 s)."), "\(error)")
        #expect(run.elapsed >= .milliseconds(1400))
    }

    // MARK: - Dropped connections

    struct Drop: Sendable, CustomTestStringConvertible {
        var scenario: HostileServer.Scenario
        var detail: String
        var testDescription: String { scenario.rawValue }
    }

    @Test("a connection closed before, during the headers or during the body: connection lost, retried up to the budget", arguments: [
        Drop(scenario: .closeAtOnce, detail: "the server closed the connection"),
        Drop(scenario: .closeHeaders, detail: "the connection closed before the response was complete"),
        Drop(scenario: .closeBody, detail: "the connection closed before the response was complete"),
        Drop(scenario: .closeChunked, detail: "the connection closed before the response was complete"),
    ])
    func dropped(_ drop: Drop) async throws {
        let run = try await HostileRun(drop.scenario)
        let error = try await run.expectTransportError { try await $0.describeDBClusterSnapshots() }
        #expect(error.kind == .connectionLost)
        #expect(error.description.hasPrefix("DescribeDBClusterSnapshots in us-east-1 failed: the request to 127.0.0.1:\(run.port) lost its connection (\(drop.detail))."), "\(error)")
        #expect(try await run.stats().requests == 5, "retried: 5 attempts in all")
    }

    // MARK: - Another snapshot than asked for

    @Test("a describe of snapshot X answered with snapshot Y is an error, neither X nor not-found; not retried")
    func wrongSnapshotDescribed() async throws {
        let run = try await HostileRun(.wrongSnapshot)
        let error = try await run.expectAPIError { try await $0.describeDBClusterSnapshot(identifier: "mine") }
        #expect(error.code == .unparseableResponse)
        #expect(error.description.hasPrefix("Neptune DescribeDBClusterSnapshots in us-east-1 failed with HTTP 200: the request was for the snapshot mine but the answer describes someone-elses-snapshot, which snapcopy does not take for mine (nor as a sign that mine does not exist)."), "\(error)")
        #expect(try await run.stats().requests == 1)
        // The listing without a filter is not checked: every snapshot is an answer.
        #expect(try await run.client.describeDBClusterSnapshots().map(\.identifier) == ["snap-1", "snap-2"])
    }

    @Test("a copy to X answered with snapshot Y is an error naming both; the copy is not retried")
    func wrongSnapshotCopied() async throws {
        let run = try await HostileRun(.wrongSnapshot)
        let error = try await run.expectAPIError {
            try await $0.copyDBClusterSnapshot(CopyDBClusterSnapshotRequest(sourceIdentifier: "snap-1", targetIdentifier: "my-copy"))
        }
        #expect(error.code == .unparseableResponse)
        #expect(error.description.hasPrefix("Neptune CopyDBClusterSnapshot in us-east-1 failed with HTTP 200: the request was for the snapshot my-copy but the answer describes someone-elses-copy, which snapcopy does not take for my-copy."), "\(error)")
        #expect(try await run.stats().requests == 1)
    }
}

/// One test's client against one hostile scenario: the real transport with short timeouts, a
/// recording sleeper (retries never wait), a log, and a time bound on every call.
final class HostileRun {
    /// Short timeouts, with room for a loaded machine: 2 s of silence, 5 s an exchange.
    static let settings = TransportSettings(connectTimeout: .seconds(2), readTimeout: .seconds(2), requestTimeout: .seconds(5))
    /// For the stalls: 0.4 s of silence fails an attempt.
    static let stallSettings = TransportSettings(connectTimeout: .seconds(2), readTimeout: .milliseconds(400), requestTimeout: .seconds(5))
    /// The transports of the suite, one per settings, living as long as the test process (a
    /// static is never deinitialised, so they need no shutdown).
    private static let transports = TransportCache()

    let server: HostileServer
    let endpoint: URL
    let client: NeptuneClient
    let sleeper = RecordingSleeper()
    let logs = LogCollector()
    /// How long the last bounded call took.
    private(set) var elapsed: Duration = .zero

    var port: Int { endpoint.port ?? 0 }

    init(_ scenario: HostileServer.Scenario, retryPolicy: RetryPolicy = .standard, maximumPages: Int = 1000,
         settings: TransportSettings = HostileRun.settings, credentials: Credentials = suiteCredentials) async throws {
        server = try await HostileServer.shared.value
        endpoint = server.endpoint(scenario)
        let configuration = ClientConfiguration(
            transport: try Self.transports.transport(for: settings), retryPolicy: retryPolicy, sleeper: sleeper, log: logs.log,
            random: { 0.5 }, now: { vectorDate }, maximumPages: maximumPages)
        client = NeptuneClient(region: "us-east-1", endpoint: endpoint, credentials: StaticCredentialProvider(credentials), configuration: configuration)
    }

    /// What the server saw at this run's endpoint.
    func stats() async throws -> HostileServer.Stats {
        try await server.stats(of: endpoint)
    }

    /// Runs `call` with the client, cancelling it and failing the test past `limit`.
    func outcome<T: Sendable>(within limit: Duration, _ call: @escaping @Sendable (NeptuneClient) async throws -> T) async throws -> Result<T, any Error> {
        let client = client
        let clock = ContinuousClock()
        let start = clock.now
        let result: Result<T, any Error>? = await withTaskGroup(of: Result<T, any Error>?.self) { group in
            group.addTask {
                do { return .success(try await call(client)) } catch { return .failure(error) }
            }
            group.addTask {
                try? await Task.sleep(for: limit)
                return nil
            }
            defer { group.cancelAll() }
            return await group.next() ?? nil
        }
        elapsed = start.duration(to: clock.now)
        guard let result else {
            Issue.record("the call did not finish within \(limit)")
            throw HostileTimeLimit()
        }
        return result
    }

    func expectSuccess<T: Sendable>(within limit: Duration = .seconds(10), _ call: @escaping @Sendable (NeptuneClient) async throws -> T) async throws -> T {
        try await outcome(within: limit, call).get()
    }

    func expectAPIError<T: Sendable>(within limit: Duration = .seconds(10), _ call: @escaping @Sendable (NeptuneClient) async throws -> T) async throws -> NeptuneAPIError {
        let result = try await outcome(within: limit, call)
        guard case .failure(let error) = result, let apiError = error as? NeptuneAPIError else {
            Issue.record("expected a NeptuneAPIError, got \(result)")
            throw HostileTimeLimit()
        }
        return apiError
    }

    func expectTransportError<T: Sendable>(within limit: Duration = .seconds(10), _ call: @escaping @Sendable (NeptuneClient) async throws -> T) async throws -> TransportError {
        let result = try await outcome(within: limit, call)
        guard case .failure(let error) = result, let transportError = error as? TransportError else {
            Issue.record("expected a TransportError, got \(result)")
            throw HostileTimeLimit()
        }
        return transportError
    }
}

/// One ``AsyncHTTPTransport`` per settings, made on first use.
private final class TransportCache: @unchecked Sendable {
    private let lock = NSLock()
    private var transports: [String: AsyncHTTPTransport] = [:]

    func transport(for settings: TransportSettings) throws -> AsyncHTTPTransport {
        try lock.withLock {
            let key = "\(settings.readTimeout) \(settings.requestTimeout) \(settings.maximumResponseBytes)"
            if let transport = transports[key] { return transport }
            let transport = try AsyncHTTPTransport(settings: settings)
            transports[key] = transport
            return transport
        }
    }
}

/// A hostile call that ran past its bound or ended the wrong way (already recorded as an issue).
struct HostileTimeLimit: Error {}
