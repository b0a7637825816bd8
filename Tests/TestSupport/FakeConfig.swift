/// The faults of a ``FakeNeptuneServer``: `POST /_fake/config` replaces all of it.
public struct FakeConfig: Codable, Sendable, Equatable {
    /// Milliseconds added to every AWS call; `nil` keeps the latency the server started with.
    public var latencyMs: Int?
    /// Pages of at most this many items in `DescribeDBClusterSnapshots` and
    /// `DescribeDBClusters`, with an opaque `Marker`. The request's `MaxRecords`
    /// (20...100, as AWS insists; default 100) caps it. `nil`: pages of `MaxRecords`.
    public var pageSize: Int?
    /// A copy made by `CopyDBClusterSnapshot` reads `copying` with a rising
    /// `PercentProgress` for this many seconds of wall time, then `available`/100.
    public var copyingSeconds: Double
    /// Rules checked in order for each AWS call.
    public var faults: [FaultRule]
    /// A copy that would make more snapshots `copying` at once (per account and
    /// region) gets 400 `SnapshotQuotaExceeded`.
    public var maxInflightCopies: Int?
    /// Target identifiers whose copy ends `failed` instead of `available`.
    public var failCopies: [String]
    /// Seeds the random choices of ``FaultRule/probability`` and ``FaultRule/maxDelayMs``, so a
    /// storm repeats run after run.
    public var randomSeed: Int

    public init(
        latencyMs: Int? = nil,
        pageSize: Int? = nil,
        copyingSeconds: Double = 0,
        faults: [FaultRule] = [],
        maxInflightCopies: Int? = nil,
        failCopies: [String] = [],
        randomSeed: Int = 0
    ) {
        self.latencyMs = latencyMs
        self.pageSize = pageSize
        self.copyingSeconds = copyingSeconds
        self.faults = faults
        self.maxInflightCopies = maxInflightCopies
        self.failCopies = failCopies
        self.randomSeed = randomSeed
    }
}

/// One fault: which calls it hits, what it does, and how often.
///
/// Every matching rule counts the call (for ``everyNth``); a rule fires when its count
/// is due and it has ``times`` left. At most one non-slow rule fires per call and phase.
public struct FaultRule: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable {
        /// 400 with an RDS `ErrorResponse`, code `Throttling`.
        case throttle
        /// 500 with code `InternalFailure`.
        case internalFailure = "500"
        /// 500 with an HTML page instead of XML.
        case html500
        /// 503 with code `ServiceUnavailable`.
        case serviceUnavailable = "503"
        /// The connection is reset (TCP RST) without an answer.
        case reset
        /// Sleeps ``FaultRule/delayMs`` and then answers normally.
        case slow
    }

    public enum Phase: String, Codable, Sendable {
        /// The call never reaches moto.
        case before
        /// moto handles the call (a copy is made), then the answer is replaced: a lost response.
        case after
    }

    /// An action name such as `CopyDBClusterSnapshot`, or `*` for every AWS call.
    public var action: String
    public var kind: Kind
    /// How many times it fires; `nil` is forever.
    public var times: Int?
    /// Fires only on every n-th matching call.
    public var everyNth: Int?
    /// Fires on a random share of the calls it matches (0 to 1).
    public var probability: Double?
    /// For ``Kind/slow``; the server's default is 1000.
    public var delayMs: Int?
    /// For ``Kind/slow``: a random delay from ``delayMs`` to this, per call.
    public var maxDelayMs: Int?
    /// Only calls signed for this region.
    public var region: String?
    public var phase: Phase

    public init(
        _ kind: Kind,
        action: String = "*",
        times: Int? = nil,
        everyNth: Int? = nil,
        probability: Double? = nil,
        delayMs: Int? = nil,
        maxDelayMs: Int? = nil,
        region: String? = nil,
        phase: Phase = .before
    ) {
        self.kind = kind
        self.action = action
        self.times = times
        self.everyNth = everyNth
        self.probability = probability
        self.delayMs = delayMs
        self.maxDelayMs = maxDelayMs
        self.region = region
        self.phase = phase
    }
}
