import Foundation

/// An HTTP request as snapcopy sends it: method, URL, headers and body.
///
/// Header names are stored lower-cased. The description shows only the method, host and
/// path, never headers (which carry signatures and tokens), the query string or the body.
public struct HTTPRequest: Sendable, Equatable {
    /// The HTTP method, e.g. `POST`.
    public var method: String
    /// The full request URL.
    public var url: URL
    /// Header fields keyed by lower-cased name.
    public private(set) var headers: [String: String]
    /// The request body.
    public var body: Data
    /// The longest the whole exchange may take; `nil` for the transport's request timeout.
    /// Credential look-ups on link-local addresses (instance metadata) use a short one.
    public var timeout: Duration?

    /// Creates a request; header names are lower-cased.
    public init(method: String, url: URL, headers: [String: String] = [:], body: Data = Data(), timeout: Duration? = nil) {
        self.method = method
        self.url = url
        self.headers = [:]
        self.body = body
        self.timeout = timeout
        for (name, value) in headers { self.headers[name.lowercased()] = value }
    }

    /// Returns the value of a header, looked up case-insensitively.
    public func header(_ name: String) -> String? {
        headers[name.lowercased()]
    }

    /// Sets (or, with `nil`, removes) a header, case-insensitively.
    public mutating func setHeader(_ name: String, _ value: String?) {
        headers[name.lowercased()] = value
    }
}

extension HTTPRequest: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// `METHOD host/path`, without query string, headers or body.
    public var description: String {
        "\(method) \(url.host ?? "?")\(url.path.isEmpty ? "/" : url.path)"
    }

    /// Same as ``description``: requests carry secrets and are never dumped in full.
    public var debugDescription: String { "HTTPRequest(\(description))" }

    /// A mirror that shows only the redacted description.
    public var customMirror: Mirror { Mirror(self, children: ["request": description]) }
}

/// An HTTP response: status, headers (lower-cased names) and body.
public struct HTTPResponse: Sendable, Equatable {
    /// The HTTP status code.
    public var status: Int
    /// Header fields keyed by lower-cased name.
    public private(set) var headers: [String: String]
    /// The response body.
    public var body: Data

    /// Creates a response; header names are lower-cased.
    public init(status: Int, headers: [String: String] = [:], body: Data = Data()) {
        self.status = status
        self.headers = [:]
        self.body = body
        for (name, value) in headers { self.headers[name.lowercased()] = value }
    }

    /// Creates a response whose body is the UTF-8 encoding of `text`.
    public init(status: Int, headers: [String: String] = [:], text: String) {
        self.init(status: status, headers: headers, body: Data(text.utf8))
    }

    /// Returns the value of a header, looked up case-insensitively.
    public func header(_ name: String) -> String? {
        headers[name.lowercased()]
    }

    /// Whether the status is in the 2xx range.
    public var isSuccess: Bool { (200..<300).contains(status) }
}
