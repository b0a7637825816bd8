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
    /// FIPS and dual-stack endpoint choices, and whether STS uses its legacy global endpoint.
    public var endpointOptions: EndpointOptions
    /// The most pages one paginated call follows before it fails: 1,000 by default, 100,000
    /// snapshots at 100 a page, far beyond any account's snapshot quota, so a service whose
    /// markers never end cannot hold a run forever.
    public var maximumPages: Int

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
        now: @escaping @Sendable () -> Date = { Date() },
        endpointOptions: EndpointOptions = EndpointOptions(),
        maximumPages: Int = 1000
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
        self.endpointOptions = endpointOptions
        self.maximumPages = max(1, maximumPages)
    }
}
