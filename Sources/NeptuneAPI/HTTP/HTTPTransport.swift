import Foundation

/// Sends one HTTP request and returns its response.
///
/// This is the seam between the API client and the network: ``AsyncHTTPTransport`` is the
/// real implementation, ``ScriptedTransport`` the in-memory one for tests. A transport
/// returns every HTTP status as a response (4xx and 5xx included) and throws only when no
/// response arrived, preferably as a ``TransportError``.
public protocol HTTPTransport: Sendable {
    /// Sends `request` and returns the response, whatever its status.
    func send(_ request: HTTPRequest) async throws -> HTTPResponse
}

/// A request that got no HTTP response: timeout, connection failure and the like.
public struct TransportError: Error, Sendable, Equatable {
    /// What went wrong, in a form the retry policy can classify.
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        /// How a sentence says it: "the request to HOST:PORT <phrase>".
        let phrase: String
        private init(_ name: String, _ phrase: String) {
            self.name = name
            self.phrase = phrase
        }

        /// The request timed out; it may or may not have reached the server.
        public static let timedOut = Kind("timed out", "timed out")
        /// The connection dropped or was reset; the request may have reached the server.
        public static let connectionLost = Kind("connection lost", "lost its connection")
        /// No connection could be made (refused, DNS failure); the request was never sent.
        public static let cannotConnect = Kind("cannot connect", "could not connect")
        /// The TLS handshake failed (an untrusted or mismatched certificate, say); not retried.
        public static let tlsFailed = Kind("TLS failed", "failed its TLS handshake")
        /// The response body was larger than the transport accepts; not retried.
        public static let responseTooLarge = Kind("response too large", "got a response that is too large")
        /// Any other failure; not retried.
        public static let other = Kind("failed", "failed")

        /// A short name for logs, e.g. `timed out`.
        public var description: String { name }
    }

    /// The kind of failure.
    public var kind: Kind
    /// A short technical detail (never a URL with a query string or a header).
    public var detail: String
    /// The host that was contacted, when known.
    public var host: String?
    /// The port that was contacted, when known.
    public var port: Int?
    /// What to check, as a sentence; `nil` for the general advice about network and proxies.
    public var hint: String?
    /// The API action, filled in by the client.
    public var action: String?
    /// The region, filled in by the client.
    public var region: String?

    /// Creates a transport error.
    public init(kind: Kind, detail: String, host: String? = nil, port: Int? = nil, hint: String? = nil, action: String? = nil, region: String? = nil) {
        self.kind = kind
        self.detail = detail
        self.host = host
        self.port = port
        self.hint = hint
        self.action = action
        self.region = region
    }
}

extension TransportError: CustomStringConvertible, LocalizedError {
    /// A sentence for users, e.g. `DescribeDBClusterSnapshots in us-east-1 failed: the request
    /// to rds.us-east-1.amazonaws.com:443 timed out (...). Check your network ...`.
    public var description: String {
        var text = ""
        if let action {
            text += action
            if let region { text += " in \(region)" }
            text += " failed: "
        }
        text += "the request"
        if let host { text += " to \(host)\(port.map { ":\($0)" } ?? "")" }
        text += " \(kind.phrase)"
        if !detail.isEmpty { text += " (\(detail))" }
        text += ". "
        text += hint ?? "Check your network connection, proxy settings (HTTPS_PROXY, HTTP_PROXY, NO_PROXY) and endpoint URL, then try again."
        return text
    }

    /// Same as ``description``.
    public var errorDescription: String? { description }
}
