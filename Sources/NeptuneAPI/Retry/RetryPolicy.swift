import Foundation

/// When to retry a failed attempt and how long to wait: a pure decision, no sleeping.
///
/// Mirrors botocore's standard mode: throttling codes, transient codes, HTTP 429/500/502/503/504
/// and connection failures are retried with full-jitter exponential backoff,
/// `random × min(base × 2^(n−1), maxBackoff)`, where `base` is 1 s for throttling and
/// 100 ms otherwise and `n` counts the call's failures of that kind. A `Retry-After` the server
/// sent is honoured, capped at ``maxRetryAfter``.
///
/// Throttling has its own, larger budget (``maxThrottledAttempts``): it is the service asking
/// for patience, not a fault, and a run of hundreds of copies must not fail because one of
/// its calls was throttled five times. Other failures are bounded by ``maxAttempts``.
///
/// For non-idempotent operations (`CopyDBClusterSnapshot`) a failure that may have reached
/// the server (timeout, dropped connection, 5xx) gives ``RetryDecision/verifyThenRetry(after:)``:
/// the caller must first check whether the operation took effect.
public struct RetryPolicy: Sendable, Equatable {
    /// Attempts ending in a non-throttling failure, the first included (botocore standard
    /// mode: 3; snapcopy: 5), after which the call fails.
    public var maxAttempts: Int
    /// Throttled attempts after which the call fails (snapcopy: 10).
    public var maxThrottledAttempts: Int
    /// Backoff base for throttling errors.
    public var throttlingBase: Duration
    /// Backoff base for transient errors.
    public var transientBase: Duration
    /// The largest backoff.
    public var maxBackoff: Duration
    /// The largest wait a `Retry-After` header can impose.
    public var maxRetryAfter: Duration

    /// Creates a policy.
    public init(maxAttempts: Int = 5, maxThrottledAttempts: Int? = nil, throttlingBase: Duration = .seconds(1), transientBase: Duration = .milliseconds(100), maxBackoff: Duration = .seconds(20), maxRetryAfter: Duration = .seconds(20)) {
        self.maxAttempts = max(1, maxAttempts)
        self.maxThrottledAttempts = max(1, maxThrottledAttempts ?? 2 * maxAttempts)
        self.throttlingBase = throttlingBase
        self.transientBase = transientBase
        self.maxBackoff = maxBackoff
        self.maxRetryAfter = maxRetryAfter
    }

    /// The default policy: 5 attempts, 10 when throttled, backoff capped at 20 s.
    public static let standard = RetryPolicy()

    /// Never retries.
    public static let none = RetryPolicy(maxAttempts: 1, maxThrottledAttempts: 1)

    /// The failed attempts of one call so far, by budget.
    public struct Failures: Sendable, Equatable {
        /// Attempts the service throttled.
        public var throttled: Int
        /// Attempts that failed otherwise.
        public var other: Int

        /// No failure yet.
        public init(throttled: Int = 0, other: Int = 0) {
            self.throttled = throttled
            self.other = other
        }

        /// Counts one more failed attempt, with `error`.
        public mutating func count(_ error: any Error) {
            if RetryPolicy.reason(for: error) == .throttling { throttled += 1 } else { other += 1 }
        }
    }

    /// Why an error may be retried.
    public enum Reason: Sendable, Equatable {
        /// The service throttled the request; it was not processed.
        case throttling
        /// A transient service error code (`RequestTimeout`, `PriorRequestNotComplete`, ...).
        case transientError
        /// HTTP 500/502/503/504, or 429 without a throttling code.
        case serverError
        /// No connection could be made; the request was never sent.
        case cannotConnect
        /// A timeout or dropped connection; the request may have been processed.
        case connectionLost
    }

    /// Transient (non-throttling) error codes, as in botocore standard mode.
    public static let transientErrorCodes: Set<String> = ["RequestTimeout", "RequestTimeoutException", "PriorRequestNotComplete", "InternalFailure", "InternalError", "ServiceUnavailable"]
    /// Retried HTTP statuses.
    public static let transientStatuses: Set<Int> = [429, 500, 502, 503, 504]

    /// Classifies an error; `nil` when it must not be retried.
    public static func reason(for error: any Error) -> Reason? {
        switch error {
        case let error as NeptuneAPIError:
            if error.code == .throttling { return .throttling }
            if let wire = error.wireCode, transientErrorCodes.contains(wire) { return .transientError }
            if transientStatuses.contains(error.httpStatus) { return .serverError }
            return nil
        case let error as TransportError:
            switch error.kind {
            case .cannotConnect: return .cannotConnect
            case .timedOut, .connectionLost: return .connectionLost
            default: return nil
            }
        default:
            return nil
        }
    }

    /// Decides what to do after attempt number `attempt` (1-based) failed with `error`, every
    /// earlier attempt having failed the same way.
    /// - Parameters:
    ///   - idempotent: Whether repeating the operation is harmless.
    ///   - random: A number in `0..<1` for the jitter (injected so tests are exact).
    public func decide(for error: any Error, attempt: Int, idempotent: Bool = true, random: Double) -> RetryDecision {
        let failures = Self.reason(for: error) == .throttling ? Failures(throttled: attempt) : Failures(other: attempt)
        return decide(for: error, after: failures, idempotent: idempotent, random: random)
    }

    /// Decides what to do after a call's latest attempt failed with `error`; `failures` counts
    /// that attempt too.
    public func decide(for error: any Error, after failures: Failures, idempotent: Bool = true, random: Double) -> RetryDecision {
        guard let reason = Self.reason(for: error) else { return .stop }
        let count = reason == .throttling ? failures.throttled : failures.other
        guard count < (reason == .throttling ? maxThrottledAttempts : maxAttempts) else { return .stop }
        let base = reason == .throttling ? throttlingBase : transientBase
        var delay = backoff(base: base, attempt: count, random: random)
        if let retryAfter = (error as? NeptuneAPIError)?.retryAfter {
            delay = max(delay, min(retryAfter, maxRetryAfter))
        }
        switch reason {
        case .throttling, .cannotConnect:
            return .retry(after: delay)
        case .transientError, .serverError, .connectionLost:
            return idempotent ? .retry(after: delay) : .verifyThenRetry(after: delay)
        }
    }

    /// Full-jitter exponential backoff: `random × min(base × 2^(attempt−1), maxBackoff)`.
    public func backoff(base: Duration, attempt: Int, random: Double) -> Duration {
        let exponent = Double(min(max(attempt - 1, 0), 30))
        let ceiling = min(base.seconds * pow(2, exponent), maxBackoff.seconds)
        let jitter = min(max(random, 0), 1)
        return .milliseconds(Int((ceiling * jitter * 1000).rounded()))
    }
}

/// What to do after a failed attempt.
public enum RetryDecision: Sendable, Equatable {
    /// Wait, then send the request again.
    case retry(after: Duration)
    /// The request may have taken effect: check first; if it did not, wait and send again.
    case verifyThenRetry(after: Duration)
    /// Give up and report the error.
    case stop
}

extension Duration {
    /// The duration in (fractional) seconds.
    var seconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }
}
