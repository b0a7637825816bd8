import Foundation

/// An in-memory transport that answers from a script, for tests and offline runs.
///
/// Each request is recorded. It is answered by the next scripted ``Step`` if any remain,
/// otherwise by the fallback handler, otherwise with a ``TransportError``.
public actor ScriptedTransport: HTTPTransport {
    /// One scripted answer.
    public enum Step: Sendable {
        /// Answer with this response.
        case response(HTTPResponse)
        /// Fail with this transport error (no response).
        case failure(TransportError)

        /// A response with an XML (or any text) body.
        public static func xml(_ text: String, status: Int = 200, headers: [String: String] = [:]) -> Step {
            var all = ["Content-Type": "text/xml"]
            for (key, value) in headers { all[key] = value }
            return .response(HTTPResponse(status: status, headers: all, text: text))
        }
    }

    /// Computes an answer for requests left after the script is used up.
    public typealias Handler = @Sendable (HTTPRequest) async throws -> HTTPResponse

    private var steps: [Step]
    private let fallback: Handler?
    /// Every request received, in order.
    public private(set) var requests: [HTTPRequest] = []

    /// Creates a transport that plays `steps` in order, then uses `fallback`.
    public init(_ steps: [Step] = [], fallback: Handler? = nil) {
        self.steps = steps
        self.fallback = fallback
    }

    /// Appends steps to the script.
    public func enqueue(_ more: [Step]) {
        steps.append(contentsOf: more)
    }

    /// The number of scripted steps not yet used.
    public var remainingSteps: Int { steps.count }

    /// Records the request and answers it from the script.
    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        requests.append(request)
        if !steps.isEmpty {
            switch steps.removeFirst() {
            case .response(let response): return response
            case .failure(let error): throw error
            }
        }
        if let fallback { return try await fallback(request) }
        throw TransportError(kind: .other, detail: "the scripted transport has no answer left", host: request.url.host)
    }
}
