/// One HTTP attempt, as reported to the debug log.
///
/// Holds no headers, bodies, signatures, tokens or URLs: only what is safe to print.
public struct RequestLogEntry: Sendable, Equatable {
    /// `Neptune` or `STS`.
    public var service: String
    /// The API action.
    public var action: String
    /// The region.
    public var region: String
    /// The attempt number, 1-based.
    public var attempt: Int
    /// The HTTP status, `nil` when no response arrived.
    public var httpStatus: Int?
    /// Time from sending to the end of the response (or failure).
    public var latency: Duration
    /// The error code, or the transport failure kind; `nil` on success.
    public var errorCode: String?

    /// Creates an entry.
    public init(service: String, action: String, region: String, attempt: Int, httpStatus: Int?, latency: Duration, errorCode: String?) {
        self.service = service
        self.action = action
        self.region = region
        self.attempt = attempt
        self.httpStatus = httpStatus
        self.latency = latency
        self.errorCode = errorCode
    }
}

extension RequestLogEntry: CustomStringConvertible {
    /// `Neptune DescribeDBClusterSnapshots us-east-1 attempt 1: HTTP 200 in 85 ms`.
    public var description: String {
        let ms = Int((latency.seconds * 1000).rounded())
        var text = "\(service) \(action) \(region) attempt \(attempt): "
        text += httpStatus.map { "HTTP \($0)" } ?? "no response"
        if let errorCode { text += " \(errorCode)" }
        return text + " in \(ms) ms"
    }
}

/// Receives one ``RequestLogEntry`` per HTTP attempt (for `--debug`).
public struct RequestLog: Sendable {
    private let handler: @Sendable (RequestLogEntry) -> Void

    /// Calls `handler` for every attempt.
    public init(_ handler: @escaping @Sendable (RequestLogEntry) -> Void) {
        self.handler = handler
    }

    /// Records an entry.
    public func record(_ entry: RequestLogEntry) {
        handler(entry)
    }
}

/// Counts API requests sent (retries included), in total and by action.
public actor APICallCounter {
    /// Requests sent so far.
    public private(set) var total = 0
    /// Requests sent so far, by action.
    public private(set) var byAction: [String: Int] = [:]

    /// Creates a counter at zero.
    public init() {}

    /// Counts one request.
    public func record(action: String) {
        total += 1
        byAction[action, default: 0] += 1
    }
}
