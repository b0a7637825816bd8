import Foundation
import Testing
@testable import NeptuneAPI

/// A clock the test moves by hand.
final class ManualClock: @unchecked Sendable {
    private let lock = NSLock()
    private var current: Date

    init(_ start: Date) { current = start }

    var now: Date {
        lock.lock()
        defer { lock.unlock() }
        return current
    }

    func advance(by seconds: TimeInterval) {
        lock.lock()
        current = current.addingTimeInterval(seconds)
        lock.unlock()
    }
}

/// Counts fetches and hands out credentials expiring `lifetime` seconds after "now".
actor CountingProvider: CredentialProvider {
    nonisolated let name = "counting"
    private let clock: ManualClock
    private let lifetime: TimeInterval?
    private(set) var fetches = 0

    init(clock: ManualClock, lifetime: TimeInterval?) {
        self.clock = clock
        self.lifetime = lifetime
    }

    func credentials() async throws -> Credentials {
        fetches += 1
        try await Task.sleep(for: .milliseconds(5))
        return Credentials(accessKeyID: "AKIA\(fetches)", secretAccessKey: "s", expiration: lifetime.map { clock.now.addingTimeInterval($0) })
    }
}

@Suite("Credential caching, role sessions and the limiter")
struct CachingAndFactoryTests {
    @Test("temporary credentials are refreshed inside the refresh window, once for concurrent callers")
    func refresh() async throws {
        let clock = ManualClock(vectorDate)
        let base = CountingProvider(clock: clock, lifetime: 3600)
        let cache = CachingCredentialProvider(base, refreshWindow: 600, now: { clock.now })
        async let a = cache.credentials()
        async let b = cache.credentials()
        async let c = cache.credentials()
        let first = try await [a, b, c]
        #expect(Set(first.map(\.accessKeyID)) == ["AKIA1"])
        #expect(await base.fetches == 1)
        clock.advance(by: 2999)
        #expect(try await cache.credentials().accessKeyID == "AKIA1")
        clock.advance(by: 2)
        #expect(try await cache.credentials().accessKeyID == "AKIA2")
        #expect(await base.fetches == 2)
    }

    @Test("long-term credentials are fetched once")
    func longTerm() async throws {
        let clock = ManualClock(vectorDate)
        let base = CountingProvider(clock: clock, lifetime: nil)
        let cache = CachingCredentialProvider(base, now: { clock.now })
        _ = try await cache.credentials()
        clock.advance(by: 86_400 * 30)
        _ = try await cache.credentials()
        #expect(await base.fetches == 1)
    }

    @Test("the factory assumes each role once per session and re-assumes before expiry")
    func factory() async throws {
        let clock = ManualClock(vectorDate)
        let transport = ScriptedTransport(fallback: { request in
            let parameters = formParameters(request.body)
            switch parameters["Action"] {
            case "AssumeRole":
                let account = parameters["RoleArn"]?.split(separator: ":", omittingEmptySubsequences: false)[4] ?? "?"
                let expiry = AWSTimestamp.format(clock.now.addingTimeInterval(3600))
                return HTTPResponse(status: 200, text: XMLFixtures.assumeRole(accessKeyID: "ASIA\(account)", expiration: expiry))
            default:
                return HTTPResponse(status: 200, text: XMLFixtures.listTagsEmpty)
            }
        })
        let counter = APICallCounter()
        let configuration = ClientConfiguration(transport: transport, sleeper: RecordingSleeper(), counter: counter, now: { clock.now })
        let factory = NeptuneClientFactory(baseCredentials: StaticCredentialProvider(suiteCredentials), endpoint: URL(string: "http://127.0.0.1:5999"), stsEndpoint: URL(string: "http://127.0.0.1:5999"), stsRegion: "us-east-1", sessionName: "snapcopy-run", configuration: configuration)

        let roleA = "arn:aws:iam::222222222222:role/copier"
        let roleB = "arn:aws:iam::333333333333:role/copier"
        for region in ["us-east-1", "eu-west-1"] {
            _ = try await factory.client(region: region, roleARN: roleA).listTagsForResource(arn: "arn:x")
            _ = try await factory.client(region: region, roleARN: roleB).listTagsForResource(arn: "arn:y")
            _ = try await factory.client(region: region).listTagsForResource(arn: "arn:z")
        }
        #expect(await counter.byAction["AssumeRole"] == 2)
        #expect(await factory.cachedRoleARNs == [roleA, roleB])

        let requests = await transport.requests
        let tagCalls = requests.filter { formParameters($0.body)["Action"] == "ListTagsForResource" }
        #expect(tagCalls.map { $0.header("authorization")?.contains("Credential=ASIA222222222222/") == true } == [true, false, false, true, false, false])
        #expect(tagCalls[2].header("authorization")?.contains("Credential=AKIDEXAMPLE/") == true)
        #expect(tagCalls[3].header("authorization")?.contains("/eu-west-1/rds/") == true)
        #expect(tagCalls[0].header("x-amz-security-token") == "token-ASIA222222222222")

        clock.advance(by: 3100)
        _ = try await factory.client(region: "us-east-1", roleARN: roleA).listTagsForResource(arn: "arn:x")
        #expect(await counter.byAction["AssumeRole"] == 3)
        #expect(await counter.total == 10)
    }

    @Test("the limiter hands permits out in order and frees cancelled waiters")
    func limiter() async throws {
        let limiter = ConcurrencyLimiter(parallelism: 1)
        try await limiter.acquire()
        #expect(await limiter.availablePermits == 0)
        let waiter = Task { try await limiter.acquire() }
        try await Task.sleep(for: .milliseconds(20))
        waiter.cancel()
        await #expect(throws: CancellationError.self) { try await waiter.value }
        await limiter.release()
        #expect(await limiter.availablePermits == 1)
        let value = try await limiter.withPermit { 42 }
        #expect(value == 42)
        #expect(await limiter.availablePermits == 1)
    }
}
