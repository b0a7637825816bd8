import Foundation

/// What every client of a run shares: transport, retry policy, clock, log, limiter, counter.
///
/// Build one and hand it to every ``NeptuneClient`` and ``STSClient`` so they reuse one
/// connection pool, one concurrency limit and one call counter.
public struct ClientConfiguration: Sendable {
    /// Sends the HTTP requests.
    public var transport: any HTTPTransport
    /// Decides retries.
    public var retryPolicy: RetryPolicy
    /// Waits between retries.
    public var sleeper: any Sleeper
    /// Receives one entry per HTTP attempt.
    public var log: RequestLog?
    /// Bounds concurrent HTTP attempts.
    public var limiter: ConcurrencyLimiter?
    /// Counts HTTP attempts.
    public var counter: APICallCounter?
    /// The `User-Agent` header.
    public var userAgent: String
    /// Random numbers in `0..<1` for backoff jitter.
    public var random: @Sendable () -> Double
    /// The current time, for signing and credential expiry.
    public var now: @Sendable () -> Date

    /// Creates a configuration; only the transport is required.
    public init(
        transport: any HTTPTransport,
        retryPolicy: RetryPolicy = .standard,
        sleeper: any Sleeper = ClockSleeper(),
        log: RequestLog? = nil,
        limiter: ConcurrencyLimiter? = nil,
        counter: APICallCounter? = nil,
        userAgent: String = NeptuneAPI.userAgent,
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) },
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.transport = transport
        self.retryPolicy = retryPolicy
        self.sleeper = sleeper
        self.log = log
        self.limiter = limiter
        self.counter = counter
        self.userAgent = userAgent
        self.random = random
        self.now = now
    }
}

/// Default endpoints of the services snapcopy calls.
public enum AWSEndpoint {
    /// The DNS suffix of a region's partition.
    static func dnsSuffix(region: String) -> String {
        region.hasPrefix("cn-") ? "amazonaws.com.cn" : "amazonaws.com"
    }

    /// Builds `https://PREFIX.REGION.SUFFIX/`, falling back to a placeholder that fails
    /// loudly when the region is not a valid host label.
    static func make(prefix: String, region: String) -> URL {
        let valid = !region.isEmpty && region.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
        let host = valid ? "\(prefix).\(region).\(dnsSuffix(region: region))" : "\(prefix).invalid-region.invalid"
        return URL(string: "https://\(host)/") ?? URL(fileURLWithPath: "/")
    }

    /// `https://rds.REGION.amazonaws.com/` (Neptune's control plane).
    public static func neptune(region: String) -> URL {
        make(prefix: "rds", region: region)
    }

    /// `https://sts.REGION.amazonaws.com/` (regional STS).
    public static func sts(region: String) -> URL {
        make(prefix: "sts", region: region)
    }

    /// The endpoint with an empty path replaced by `/` (as botocore joins `requestUri`).
    static func normalized(_ url: URL) -> URL {
        guard var components = URLComponents(url: url, resolvingAgainstBaseURL: false) else { return url }
        if components.percentEncodedPath.isEmpty { components.percentEncodedPath = "/" }
        components.query = nil
        components.fragment = nil
        return components.url ?? url
    }
}
