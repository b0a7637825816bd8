import Foundation

/// Which proxy a request goes through: `HTTPS_PROXY` for `https` URLs, `HTTP_PROXY` for `http`
/// URLs, except hosts matched by `NO_PROXY`. A pure value, read from an environment dictionary.
///
/// Names and precedence are those of Python's `urllib` (which botocore uses): lower-case
/// `https_proxy`, `http_proxy`, `no_proxy` win over the upper-case forms. `NO_PROXY` is a comma
/// (or space) separated list of host names (matching the host and its subdomains; a leading `.`
/// or `*.` is ignored), IP addresses, CIDR blocks (`10.0.0.0/8`), any of them with `:port`, or
/// `*` for every host.
public struct ProxySettings: Sendable, Equatable {
    /// A proxy server.
    public struct Server: Sendable, Hashable, CustomStringConvertible {
        /// The proxy's host.
        public var host: String
        /// The proxy's port (default 80 for `http://`, 443 for `https://` proxy URLs).
        public var port: Int
        /// `user:password` for basic proxy authentication, if the URL carries it. Never printed.
        public var credentials: String?
        /// The variable it came from, e.g. `HTTPS_PROXY`, for messages.
        public var source: String

        /// Creates a server.
        public init(host: String, port: Int, credentials: String? = nil, source: String) {
            self.host = host
            self.port = port
            self.credentials = credentials
            self.source = source
        }

        /// `host:port (from SOURCE)`, without credentials.
        public var description: String { "\(host):\(port) (from \(source))" }
    }

    /// The proxy for `https` URLs.
    public var https: Server?
    /// The proxy for `http` URLs.
    public var http: Server?
    /// The `NO_PROXY` entries, lower-cased and trimmed.
    public var noProxy: [String]

    /// Creates settings.
    public init(https: Server? = nil, http: Server? = nil, noProxy: [String] = []) {
        self.https = https
        self.http = http
        self.noProxy = noProxy
    }

    /// No proxies at all.
    public static let none = ProxySettings()

    /// Reads the proxy variables of an environment.
    /// - Throws: ``CredentialsError`` (kind `invalidConfiguration`) naming the variable when a
    ///   proxy URL is not `http://host[:port]` (or `https://`, or a bare `host:port`).
    public init(environment variables: [String: String]) throws {
        func value(_ name: String) -> (String, String)? {
            for key in [name.lowercased(), name.uppercased()] {
                if let value = variables[key]?.trimmingXMLWhitespace(), !value.isEmpty { return (key, value) }
            }
            return nil
        }
        https = try value("https_proxy").map { try Self.parseServer($0.1, source: $0.0) }
        http = try value("http_proxy").map { try Self.parseServer($0.1, source: $0.0) }
        noProxy = (value("no_proxy")?.1 ?? "")
            .split(whereSeparator: { $0 == "," || $0 == " " })
            .map { String($0).trimmingXMLWhitespace().lowercased() }
            .filter { !$0.isEmpty }
    }

    /// The proxy for `url`, or `nil` to connect directly.
    public func proxy(for url: URL) -> Server? {
        let scheme = url.scheme?.lowercased()
        guard let server = scheme == "https" ? https : (scheme == "http" ? http : nil) else { return nil }
        guard let host = url.host?.lowercased() else { return nil }
        let port = url.port ?? (scheme == "https" ? 443 : 80)
        return bypasses(host: host, port: port) ? nil : server
    }

    /// Whether `NO_PROXY` sends `host:port` directly.
    public func bypasses(host rawHost: String, port: Int) -> Bool {
        let host = Self.unbracketed(rawHost.lowercased())
        for entry in noProxy {
            if entry == "*" { return true }
            var pattern = entry
            var entryPort: Int?
            if let (name, portText) = Self.splitPort(entry) {
                pattern = name
                entryPort = Int(portText)
            }
            if let entryPort, entryPort != port { continue }
            pattern = Self.unbracketed(pattern)
            if pattern.contains("/") {
                if CIDRBlock(pattern)?.contains(host) == true { return true }
                continue
            }
            while pattern.hasPrefix("*") || pattern.hasPrefix(".") { pattern.removeFirst() }
            if pattern.isEmpty { continue }
            if host == pattern || host.hasSuffix("." + pattern) { return true }
        }
        return false
    }

    static func parseServer(_ text: String, source: String) throws -> Server {
        let withScheme = text.contains("://") ? text : "http://\(text)"
        guard let components = URLComponents(string: withScheme),
              let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = components.host, !host.isEmpty
        else {
            throw CredentialsError(kind: .invalidConfiguration, message: "The proxy \(source) is not a URL such as http://proxy.example.com:3128 (snapcopy does not show its value, which may hold a password): fix or unset \(source).")
        }
        var credentials: String?
        if let user = components.percentEncodedUser {
            let password = components.percentEncodedPassword ?? ""
            credentials = "\(user.removingPercentEncoding ?? user):\(password.removingPercentEncoding ?? password)"
        }
        return Server(host: Self.unbracketed(host), port: components.port ?? (scheme == "https" ? 443 : 80), credentials: credentials, source: source)
    }

    /// `("host", "port")` for `host:port` or `[v6]:port`; `nil` when there is no port.
    private static func splitPort(_ entry: String) -> (String, String)? {
        if entry.hasPrefix("[") {
            guard let close = entry.firstIndex(of: "]") else { return nil }
            let rest = entry[entry.index(after: close)...]
            guard rest.hasPrefix(":") else { return nil }
            return (String(entry[...close]), String(rest.dropFirst()))
        }
        let parts = entry.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, Int(parts[1]) != nil else { return nil }
        return (String(parts[0]), String(parts[1]))
    }

    private static func unbracketed(_ host: String) -> String {
        host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
    }
}

/// An IPv4 or IPv6 CIDR block, e.g. `10.0.0.0/8` or `fd00::/8`.
struct CIDRBlock {
    let network: [UInt8]
    let prefixLength: Int

    init?(_ text: String) {
        let parts = text.split(separator: "/")
        guard parts.count == 2, let length = Int(parts[1]), let bytes = Self.bytes(String(parts[0])) else { return nil }
        guard (0...(bytes.count * 8)).contains(length) else { return nil }
        network = bytes
        prefixLength = length
    }

    /// Whether the IP address `host` is inside the block (`false` for names).
    func contains(_ host: String) -> Bool {
        guard let address = Self.bytes(host), address.count == network.count else { return false }
        var remaining = prefixLength
        for index in 0..<address.count where remaining > 0 {
            let bits = min(8, remaining)
            let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - bits))
            if address[index] & mask != network[index] & mask { return false }
            remaining -= bits
        }
        return true
    }

    /// The bytes of a numeric IPv4 or IPv6 address.
    static func bytes(_ text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            return withUnsafeBytes(of: &v4) { Array($0) }
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 {
            return withUnsafeBytes(of: &v6) { Array($0) }
        }
        return nil
    }
}
