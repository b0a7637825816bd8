import Foundation
import Testing
@testable import NeptuneAPI

@Suite("Client retries through the scripted transport (no real sleeping)")
struct NeptuneClientRetryTests {
    @Test("throttled, then success")
    func throttleThenSuccess() async throws {
        let harness = ClientHarness([xmlResponse(XMLFixtures.awsThrottling, status: 400), xmlResponse(XMLFixtures.motoListTags)], random: 0.5)
        #expect(try await harness.client.listTagsForResource(arn: "arn:x") == [Tag(key: "k", value: "v")])
        #expect(await harness.sleeper.sleeps == [.milliseconds(500)])
        #expect(await harness.counter.total == 2)
        let entries = harness.logs.entries
        #expect(entries.map(\.attempt) == [1, 2])
        #expect(entries.map(\.httpStatus) == [400, 200])
        #expect(entries.map(\.errorCode) == ["Throttling", nil])
        #expect(entries.allSatisfy { $0.action == "ListTagsForResource" && $0.region == "us-east-1" && $0.service == "Neptune" })
    }

    @Test("HTML 500, then success")
    func html500ThenSuccess() async throws {
        let harness = ClientHarness([xmlResponse(XMLFixtures.motoHTML500, status: 500), xmlResponse(XMLFixtures.motoDescribe)], random: 1)
        #expect(try await harness.client.describeDBClusterSnapshots().count == 2)
        #expect(await harness.sleeper.sleeps == [.milliseconds(100)])
        #expect(harness.logs.entries.first?.errorCode == "UnparseableResponse")
    }

    @Test("connection reset and timeout are retried for idempotent calls")
    func transportErrors() async throws {
        let harness = ClientHarness([
            .failure(TransportError(kind: .connectionLost, detail: "reset")),
            .failure(TransportError(kind: .timedOut, detail: "")),
            xmlResponse(XMLFixtures.listTagsEmpty),
        ], random: 1)
        #expect(try await harness.client.listTagsForResource(arn: "arn:x") == [])
        #expect(await harness.sleeper.sleeps == [.milliseconds(100), .milliseconds(200)])
        #expect(harness.logs.entries.map(\.httpStatus) == [nil, nil, 200])
        #expect(harness.logs.entries.first?.errorCode == "transport: connection lost")
    }

    @Test("attempts exhausted: the last error is thrown after maxThrottledAttempts throttled requests")
    func exhausted() async throws {
        let throttled = xmlResponse(XMLFixtures.awsThrottling, status: 400)
        let harness = ClientHarness(Array(repeating: throttled, count: 10), random: 1)
        do {
            _ = try await harness.client.describeDBClusterSnapshots()
            Issue.record("expected an error")
        } catch let error as NeptuneAPIError {
            #expect(error.code == .throttling)
            #expect(error.action == "DescribeDBClusterSnapshots")
        }
        #expect(await harness.transport.requests.count == 10)
        #expect(await harness.sleeper.sleeps == [1, 2, 4, 8, 16, 20, 20, 20, 20].map { Duration.seconds($0) })
        #expect(await harness.counter.byAction == ["DescribeDBClusterSnapshots": 10])
    }

    @Test("throttling and 500s have separate budgets: 4 500s among 8 throttles still succeed, a fifth 500 fails the call")
    func separateBudgets() async throws {
        let throttled = xmlResponse(XMLFixtures.awsThrottling, status: 400)
        let failed = xmlResponse(XMLFixtures.motoHTML500, status: 500)
        let mixed = [throttled, failed, throttled, throttled, failed, throttled, failed, throttled, throttled, failed, throttled, throttled]
        let harness = ClientHarness(mixed + [xmlResponse(XMLFixtures.listTagsEmpty)], random: 0)
        _ = try await harness.client.listTagsForResource(arn: "arn:x")
        #expect(await harness.transport.requests.count == 13)

        let failing = ClientHarness(mixed.prefix(4) + [failed, failed, failed, failed], random: 0)
        await #expect(throws: NeptuneAPIError.self) { _ = try await failing.client.listTagsForResource(arn: "arn:x") }
        #expect(await failing.transport.requests.count == 8, "the fifth 500 must end the call")
    }

    @Test("Retry-After is honoured")
    func retryAfter() async throws {
        let harness = ClientHarness([xmlResponse(XMLFixtures.motoHTML500, status: 503, headers: ["Retry-After": "3"]), xmlResponse(XMLFixtures.listTagsEmpty)], random: 0.1)
        _ = try await harness.client.listTagsForResource(arn: "arn:x")
        #expect(await harness.sleeper.sleeps == [.seconds(3)])
    }

    @Test("errors that are not retryable are thrown at once")
    func notRetried() async throws {
        let harness = ClientHarness([xmlResponse(XMLFixtures.awsSTSAccessDenied, status: 403)])
        await #expect(throws: NeptuneAPIError.self) { try await harness.client.listTagsForResource(arn: "arn:x") }
        #expect(await harness.transport.requests.count == 1)
        #expect(await harness.sleeper.sleeps.isEmpty)
    }

    @Test("each attempt is signed afresh with the current credentials")
    func resigned() async throws {
        let harness = ClientHarness([xmlResponse(XMLFixtures.awsThrottling, status: 400), xmlResponse(XMLFixtures.listTagsEmpty)])
        _ = try await harness.client.listTagsForResource(arn: "arn:x")
        let requests = await harness.transport.requests
        #expect(requests.allSatisfy { $0.header("authorization")?.hasPrefix("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240501/us-east-1/rds/aws4_request") == true })
    }

    @Test("transport errors name the action and region")
    func transportErrorDescription() async throws {
        let harness = ClientHarness([.failure(TransportError(kind: .cannotConnect, detail: "refused", host: "127.0.0.1"))], retryPolicy: .none)
        do {
            _ = try await harness.client.listTagsForResource(arn: "arn:x")
            Issue.record("expected an error")
        } catch let error as TransportError {
            #expect(error.description == "ListTagsForResource in us-east-1 failed: the request to 127.0.0.1 could not connect (refused). Check your network connection, proxy settings (HTTPS_PROXY, HTTP_PROXY, NO_PROXY) and endpoint URL, then try again.")
        }
    }

    @Test("the shared limiter bounds concurrent requests")
    func limiter() async throws {
        let probe = ConcurrencyProbe()
        let transport = ScriptedTransport(fallback: { _ in
            await probe.enter()
            try await Task.sleep(for: .milliseconds(20))
            await probe.leave()
            return HTTPResponse(status: 200, text: XMLFixtures.listTagsEmpty)
        })
        let configuration = ClientConfiguration(transport: transport, sleeper: RecordingSleeper(), limiter: ConcurrencyLimiter(parallelism: 2))
        let client = NeptuneClient(region: "us-east-1", credentials: StaticCredentialProvider(suiteCredentials), configuration: configuration)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<8 {
                group.addTask { _ = try await client.listTagsForResource(arn: "arn:\(index)") }
            }
            try await group.waitForAll()
        }
        #expect(await probe.maximum == 2)
        #expect(await transport.requests.count == 8)
    }

    @Test("the debug log never carries secrets or URLs")
    func logIsClean() async throws {
        var credentials = suiteCredentials
        credentials.sessionToken = "SESSION-TOKEN-VALUE"
        let harness = ClientHarness([xmlResponse(XMLFixtures.motoCopy)], region: "us-west-2", credentials: credentials)
        _ = try await harness.client.copyDBClusterSnapshot(.init(sourceIdentifier: "arn:aws:rds:us-east-1:1:cluster-snapshot:s", targetIdentifier: "s2", sourceRegion: "us-east-1"))
        let text = harness.logs.entries.map { "\($0) \(String(reflecting: $0))" }.joined()
        for secret in ["SESSION-TOKEN-VALUE", suiteCredentials.secretAccessKey, "X-Amz-Signature", "Signature=", "https://", "PreSignedUrl"] {
            #expect(!text.contains(secret), "log contains \(secret)")
        }
        #expect(text.contains("Neptune CopyDBClusterSnapshot us-west-2 attempt 1: HTTP 200"))
    }
}

/// Tracks the highest number of concurrent callers.
actor ConcurrencyProbe {
    private var current = 0
    private(set) var maximum = 0

    func enter() {
        current += 1
        maximum = max(maximum, current)
    }

    func leave() {
        current -= 1
    }
}
