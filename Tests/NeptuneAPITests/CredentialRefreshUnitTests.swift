import Foundation
import Testing
@testable import NeptuneAPI

/// The refresh window with an injected clock: short-lived credentials are reused for half their
/// life, long-lived ones until ten minutes before expiry; a failed refresh falls back to
/// credentials that are still valid.
@Suite("Credential refresh windows (injected clock)")
struct CredentialRefreshUnitTests {
    /// Hands out credentials numbered 1, 2, ... that expire `lifetime` seconds after the clock's now.
    actor Issuer: CredentialProvider {
        nonisolated let name = "issuer"
        let clock: Clock
        let lifetime: TimeInterval
        var issued = 0
        var failNext = false

        init(clock: Clock, lifetime: TimeInterval) {
            self.clock = clock
            self.lifetime = lifetime
        }

        func fail() { failNext = true }

        func credentials() async throws -> Credentials {
            if failNext {
                failNext = false
                throw CredentialsError(kind: .invalidConfiguration, message: "the source is down")
            }
            issued += 1
            return Credentials(accessKeyID: "ASIAISSUED\(issued)", secretAccessKey: "s", expiration: clock.now().addingTimeInterval(lifetime))
        }
    }

    final class Clock: @unchecked Sendable {
        private let lock = NSLock()
        private var current = vectorDate
        func now() -> Date { lock.withLock { current } }
        func advance(_ seconds: TimeInterval) { lock.withLock { current = current.addingTimeInterval(seconds) } }
    }

    @Test("4 s credentials: reused for 2 s, then refreshed, never used expired")
    func shortLived() async throws {
        let clock = Clock()
        let issuer = Issuer(clock: clock, lifetime: 4)
        let cache = CachingCredentialProvider(issuer, now: { clock.now() })
        #expect(try await cache.credentials().accessKeyID == "ASIAISSUED1")
        clock.advance(1.5)
        #expect(try await cache.credentials().accessKeyID == "ASIAISSUED1")
        clock.advance(1)
        #expect(try await cache.credentials().accessKeyID == "ASIAISSUED2")
        clock.advance(2.5)
        #expect(try await cache.credentials().accessKeyID == "ASIAISSUED3")
        #expect(await issuer.issued == 3)
    }

    @Test("one-hour credentials are refreshed ten minutes before they expire")
    func hourLong() async throws {
        let clock = Clock()
        let issuer = Issuer(clock: clock, lifetime: 3600)
        let cache = CachingCredentialProvider(issuer, now: { clock.now() })
        _ = try await cache.credentials()
        clock.advance(2999)
        #expect(try await cache.credentials().accessKeyID == "ASIAISSUED1")
        clock.advance(2)
        #expect(try await cache.credentials().accessKeyID == "ASIAISSUED2")
    }

    @Test("a failed refresh uses the cached credentials while they are valid, and fails once they are not")
    func failedRefresh() async throws {
        let clock = Clock()
        let issuer = Issuer(clock: clock, lifetime: 3600)
        let cache = CachingCredentialProvider(issuer, now: { clock.now() })
        _ = try await cache.credentials()
        clock.advance(3300)
        await issuer.fail()
        #expect(try await cache.credentials().accessKeyID == "ASIAISSUED1", "still 300 s left")
        #expect(try await cache.credentials().accessKeyID == "ASIAISSUED2", "refreshed on the next call")
        clock.advance(3600)
        await issuer.fail()
        await #expect(throws: CredentialsError.self) { try await cache.credentials() }
    }
}
