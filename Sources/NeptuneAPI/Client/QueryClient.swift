import Foundation

/// The Query-protocol engine under ``NeptuneClient`` and ``STSClient``: encodes, signs,
/// sends through the limiter, decodes, logs, counts and retries.
struct QueryClient: Sendable {
    let service: String
    let signingName: String
    let apiVersion: String
    let region: String
    let endpoint: URL
    let credentials: (any CredentialProvider)?
    let configuration: ClientConfiguration

    static let contentType = "application/x-www-form-urlencoded; charset=utf-8"

    /// Calls `action` with retries and returns its `<ActionResult>` element (or the root
    /// element when the action has no result, like `AddTagsToResource`).
    ///
    /// `beforeDecoding` sees the body of a successful (2xx) answer before it is decoded, so a
    /// caller can act on it early (the next page's request); what the call returns or throws is
    /// decided by the decoded body alone.
    func call(_ action: String, _ parameters: [(String, String)], signed: Bool = true,
              beforeDecoding: (@Sendable (Data) -> Void)? = nil) async throws -> XMLNode {
        try await withRetries(action: action, idempotent: true) { attempt in
            try await send(action, parameters, attempt: attempt, signed: signed, beforeDecoding: beforeDecoding)
        }
    }

    /// Runs `operation` until it succeeds or the retry policy stops.
    ///
    /// On ``RetryDecision/verifyThenRetry(after:)`` it runs `verify` first and returns its
    /// value when non-nil (the operation did take effect); without `verify` it stops.
    func withRetries<T>(action: String, idempotent: Bool, verify: (() async throws -> T?)? = nil, _ operation: (_ attempt: Int) async throws -> T) async throws -> T {
        var attempt = 1
        var failures = RetryPolicy.Failures()
        while true {
            do {
                return try await operation(attempt)
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                failures.count(error)
                let decision = configuration.retryPolicy.decide(for: error, after: failures, idempotent: idempotent, random: configuration.random())
                switch decision {
                case .stop:
                    throw error
                case .retry(let delay):
                    try await configuration.sleeper.sleep(for: delay)
                case .verifyThenRetry(let delay):
                    guard let verify else { throw error }
                    if let value = try await verify() { return value }
                    try await configuration.sleeper.sleep(for: delay)
                }
                attempt += 1
            }
        }
    }

    /// Sends one attempt of `action`, without retrying.
    func send(_ action: String, _ parameters: [(String, String)], attempt: Int, signed: Bool = true,
              beforeDecoding: (@Sendable (Data) -> Void)? = nil) async throws -> XMLNode {
        let body = QueryEncoding.encode([("Action", action), ("Version", apiVersion)] + parameters)
        let unsigned = HTTPRequest(
            method: "POST",
            url: endpoint,
            headers: ["content-type": Self.contentType, "user-agent": configuration.userAgent],
            body: Data(body.utf8)
        )
        // Resolve credentials before taking a permit: resolving may itself call STS.
        let signer: SigV4?
        if signed {
            guard let credentials else {
                throw CredentialsError(kind: .invalidConfiguration, message: "\(service) \(action) needs credentials, but the client has none.")
            }
            signer = SigV4(credentials: try await credentials.credentials(), region: region, service: signingName)
        } else {
            signer = nil
        }
        let clock = ContinuousClock()
        let transport = configuration.transport
        let now = configuration.now
        let exchange: @Sendable () async throws -> (HTTPResponse, Duration) = {
            // Sign inside the permit so a long wait cannot make the signature stale.
            let request = signer?.sign(unsigned, at: now()) ?? unsigned
            let start = clock.now
            do {
                let response = try await transport.send(request)
                return (response, start.duration(to: clock.now))
            } catch {
                throw TimedFailure(error: error, latency: start.duration(to: clock.now))
            }
        }

        let response: HTTPResponse
        let latency: Duration
        do {
            if let limiter = configuration.limiter {
                (response, latency) = try await limiter.withPermit(exchange)
            } else {
                (response, latency) = try await exchange()
            }
        } catch let failure as TimedFailure {
            await configuration.counter?.record(action: action)
            let error = annotate(failure.error, action: action)
            record(action, attempt: attempt, status: nil, latency: failure.latency, errorCode: Self.logCode(for: error))
            throw error
        }

        await configuration.counter?.record(action: action)
        // Errors quote the body: mask what a server reflecting the request could echo.
        let secrets = signer.map { [$0.credentials.secretAccessKey] + ($0.credentials.sessionToken.map { [$0] } ?? []) } ?? []
        guard response.isSuccess else {
            let error = NeptuneAPIError.from(response: response.masking(secrets), action: action, region: region, service: service)
            record(action, attempt: attempt, status: response.status, latency: latency, errorCode: error.wireCode ?? error.code.rawValue)
            throw error
        }
        beforeDecoding?(response.body)
        let root: XMLNode
        do {
            root = try XMLTreeParser.parse(response.body)
        } catch {
            let reason: String
            switch error {
            case .empty: reason = "the response body is empty"
            case .unclosedRoot: reason = "the response is truncated"
            case .malformed(let detail): reason = "the response is not well-formed XML (\(detail))"
            }
            throw unparseable(response.masking(secrets), reason: reason, action: action, attempt: attempt, latency: latency)
        }
        guard root.name == "\(action)Response" else {
            // Some proxies and stacks answer an error with 200: it is that error all the same.
            let masked = response.masking(secrets)
            if let maskedRoot = try? XMLTreeParser.parse(masked.body),
               let error = NeptuneAPIError.from(errorDocument: maskedRoot, response: masked, action: action, region: region, service: service) {
                record(action, attempt: attempt, status: response.status, latency: latency, errorCode: error.wireCode ?? error.code.rawValue)
                throw error
            }
            throw unparseable(masked, reason: "expected <\(action)Response> but got <\(root.name)>", action: action, attempt: attempt, latency: latency)
        }
        record(action, attempt: attempt, status: response.status, latency: latency, errorCode: nil)
        return root.child("\(action)Result") ?? root
    }

    /// The error for a 2xx response that is not the action's answer, logged.
    private func unparseable(_ response: HTTPResponse, reason: String, action: String, attempt: Int, latency: Duration) -> NeptuneAPIError {
        let error = NeptuneAPIError.unparseable(response: response, reason: reason, action: action, region: region, service: service)
        record(action, attempt: attempt, status: response.status, latency: latency, errorCode: error.code.rawValue)
        return error
    }

    /// Fills in action and region on transport errors.
    private func annotate(_ error: any Error, action: String) -> any Error {
        switch error {
        case var error as TransportError:
            error.action = action
            error.region = region
            return error
        default:
            return error
        }
    }

    private static func logCode(for error: any Error) -> String {
        switch error {
        case let error as TransportError: return "transport: \(error.kind)"
        case is CancellationError: return "cancelled"
        default: return String(describing: type(of: error))
        }
    }

    private func record(_ action: String, attempt: Int, status: Int?, latency: Duration, errorCode: String?) {
        configuration.log?.record(RequestLogEntry(service: service, action: action, region: region, attempt: attempt, httpStatus: status, latency: latency, errorCode: errorCode))
    }

    /// Carries the latency of a failed exchange out of the limiter.
    private struct TimedFailure: Error {
        let error: any Error
        let latency: Duration
    }
}
