import Foundation
import Testing
@testable import NeptuneAPI

@Suite("Retry decisions")
struct RetryPolicyTests {
    static func apiError(_ code: String, status: Int = 400, retryAfter: Duration? = nil) -> NeptuneAPIError {
        NeptuneAPIError(code: .init(wire: code), wireCode: code, message: "", httpStatus: status, action: "A", region: "r", retryAfter: retryAfter)
    }

    static func unparseable(_ status: Int) -> NeptuneAPIError {
        NeptuneAPIError(code: .unparseableResponse, message: "", httpStatus: status, action: "A", region: "r")
    }

    let policy = RetryPolicy.standard

    struct Row: Sendable, CustomTestStringConvertible {
        let name: String
        let error: any Error
        let reason: RetryPolicy.Reason?
        var testDescription: String { name }
    }

    static let table: [Row] = RetryPolicy.Code.throttlingWireCodes.map {
        Row(name: $0, error: apiError($0), reason: .throttling)
    } + [
        Row(name: "RequestTimeout", error: apiError("RequestTimeout"), reason: .transientError),
        Row(name: "InternalFailure 500", error: apiError("InternalFailure", status: 500), reason: .transientError),
        Row(name: "HTML 500", error: unparseable(500), reason: .serverError),
        Row(name: "HTML 502", error: unparseable(502), reason: .serverError),
        Row(name: "HTML 503", error: unparseable(503), reason: .serverError),
        Row(name: "HTML 504", error: unparseable(504), reason: .serverError),
        Row(name: "HTTP 429", error: unparseable(429), reason: .serverError),
        Row(name: "HTML 501", error: unparseable(501), reason: nil),
        Row(name: "HTML 200 truncated", error: unparseable(200), reason: nil),
        Row(name: "AccessDenied", error: apiError("AccessDenied", status: 403), reason: nil),
        Row(name: "NotFound", error: apiError("DBClusterSnapshotNotFoundFault", status: 404), reason: nil),
        Row(name: "AlreadyExists", error: apiError("DBClusterSnapshotAlreadyExistsFault"), reason: nil),
        Row(name: "ExpiredToken", error: apiError("ExpiredToken"), reason: nil),
        Row(name: "timeout", error: TransportError(kind: .timedOut, detail: ""), reason: .connectionLost),
        Row(name: "reset", error: TransportError(kind: .connectionLost, detail: ""), reason: .connectionLost),
        Row(name: "refused", error: TransportError(kind: .cannotConnect, detail: ""), reason: .cannotConnect),
        Row(name: "other transport", error: TransportError(kind: .other, detail: ""), reason: nil),
        Row(name: "TLS failure", error: TransportError(kind: .tlsFailed, detail: ""), reason: nil),
        Row(name: "response too large", error: TransportError(kind: .responseTooLarge, detail: ""), reason: nil),
        Row(name: "credentials", error: CredentialsError(kind: .noCredentials, message: ""), reason: nil),
        Row(name: "cancellation", error: CancellationError(), reason: nil),
    ]

    @Test("classification", arguments: table)
    func classification(_ row: Row) {
        #expect(RetryPolicy.reason(for: row.error) == row.reason)
        let decision = policy.decide(for: row.error, attempt: 1, random: 0.5)
        if row.reason == nil {
            #expect(decision == .stop)
        } else {
            #expect(decision != .stop)
        }
    }

    @Test("full-jitter exponential backoff: throttling base 1 s, transient 100 ms, cap 20 s", arguments: [
        (1, 1.0, 1000, 100), (2, 1.0, 2000, 200), (3, 1.0, 4000, 400), (4, 0.5, 4000, 400),
        (5, 1.0, 16000, 1600), (6, 1.0, 20000, 3200), (9, 1.0, 20000, 20000), (30, 0.25, 5000, 5000), (2, 0.0, 0, 0),
    ])
    func backoff(_ attempt: Int, _ random: Double, _ throttlingMS: Int, _ transientMS: Int) {
        let policy = RetryPolicy(maxAttempts: 100)
        #expect(policy.decide(for: Self.apiError("Throttling"), attempt: attempt, random: random) == .retry(after: .milliseconds(throttlingMS)))
        #expect(policy.decide(for: Self.unparseable(503), attempt: attempt, random: random) == .retry(after: .milliseconds(transientMS)))
    }

    @Test("attempts are bounded: 5 failures stop a call, 10 when throttled; the two budgets count apart")
    func bounded() {
        let throttled = Self.apiError("Throttling")
        let failed = Self.unparseable(500)
        #expect(policy.decide(for: failed, attempt: 4, random: 1) != .stop)
        #expect(policy.decide(for: failed, attempt: 5, random: 1) == .stop)
        #expect(policy.decide(for: throttled, attempt: 9, random: 1) != .stop)
        #expect(policy.decide(for: throttled, attempt: 10, random: 1) == .stop)
        // Four 500s and many throttles: the 500 budget has one left, the throttling budget too.
        #expect(policy.decide(for: failed, after: .init(throttled: 8, other: 4), random: 1) != .stop)
        #expect(policy.decide(for: throttled, after: .init(throttled: 9, other: 4), random: 1) != .stop)
        #expect(policy.decide(for: failed, after: .init(throttled: 1, other: 5), random: 1) == .stop)
        #expect(policy.decide(for: throttled, after: .init(throttled: 10, other: 0), random: 1) == .stop)
        // The backoff grows with the failures of the error's own kind.
        #expect(policy.decide(for: throttled, after: .init(throttled: 1, other: 4), random: 1) == .retry(after: .seconds(1)))
        #expect(RetryPolicy(maxAttempts: 2, maxThrottledAttempts: 2).decide(for: throttled, attempt: 2, random: 1) == .stop)
        #expect(RetryPolicy.none.decide(for: throttled, attempt: 1, random: 1) == .stop)
        #expect(RetryPolicy.none.decide(for: failed, attempt: 1, random: 1) == .stop)
    }

    @Test("Retry-After is honoured, never shortens the backoff, and is capped")
    func retryAfter() {
        #expect(policy.decide(for: Self.apiError("Throttling", retryAfter: .seconds(7)), attempt: 1, random: 0.5) == .retry(after: .seconds(7)))
        #expect(policy.decide(for: Self.apiError("Throttling", retryAfter: .milliseconds(10)), attempt: 1, random: 0.5) == .retry(after: .milliseconds(500)))
        #expect(policy.decide(for: Self.apiError("Throttling", retryAfter: .seconds(3600)), attempt: 1, random: 0.5) == .retry(after: .seconds(20)))
        #expect(policy.decide(for: Self.apiError("AccessDenied", retryAfter: .seconds(1)), attempt: 1, random: 0.5) == .stop)
    }

    @Test("non-idempotent operations verify after ambiguous failures but retry throttling and refused connections")
    func nonIdempotent() {
        #expect(policy.decide(for: TransportError(kind: .timedOut, detail: ""), attempt: 1, idempotent: false, random: 1) == .verifyThenRetry(after: .milliseconds(100)))
        #expect(policy.decide(for: Self.unparseable(500), attempt: 1, idempotent: false, random: 1) == .verifyThenRetry(after: .milliseconds(100)))
        #expect(policy.decide(for: Self.apiError("Throttling"), attempt: 1, idempotent: false, random: 1) == .retry(after: .seconds(1)))
        #expect(policy.decide(for: TransportError(kind: .cannotConnect, detail: ""), attempt: 1, idempotent: false, random: 1) == .retry(after: .milliseconds(100)))
        #expect(policy.decide(for: TransportError(kind: .timedOut, detail: ""), attempt: 5, idempotent: false, random: 1) == .stop)
    }

    @Test("operations declare whether they are idempotent")
    func idempotentFlags() {
        #expect(NeptuneOperation.copyDBClusterSnapshot.isIdempotent == false)
        #expect(NeptuneOperation.allCases.filter(\.isIdempotent).count == 5)
    }
}

extension RetryPolicy {
    /// Access to the throttling code list from the tests' table.
    typealias Code = NeptuneAPIError.Code
}
