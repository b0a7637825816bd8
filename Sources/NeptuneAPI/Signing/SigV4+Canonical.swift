import Foundation

extension SigV4 {
    /// The canonical query string of a percent-encoded query: pairs sorted by key, then value.
    ///
    /// Like botocore, the pairs are taken as already encoded and sorted byte-wise.
    public static func canonicalQuery(_ percentEncodedQuery: String?) -> String {
        guard let query = percentEncodedQuery, !query.isEmpty else { return "" }
        let pairs: [(String, String)] = query.split(separator: "&", omittingEmptySubsequences: false).map { part in
            if let equals = part.firstIndex(of: "=") {
                return (String(part[..<equals]), String(part[part.index(after: equals)...]))
            }
            return (String(part), "")
        }
        return pairs.sorted { lhs, rhs in
            if lhs.0 != rhs.0 { return lhs.0.utf8.lexicographicallyPrecedes(rhs.0.utf8) }
            return lhs.1.utf8.lexicographicallyPrecedes(rhs.1.utf8)
        }
        .map { "\($0.0)=\($0.1)" }
        .joined(separator: "&")
    }

    /// Canonical header lines and the signed-headers list for the given headers.
    ///
    /// Names are lower-cased and sorted; values are trimmed with inner runs of whitespace
    /// collapsed to one space.
    public static func canonicalHeaders(_ headers: [String: String]) -> (canonical: String, signed: String) {
        let normalized = Dictionary(headers.map { ($0.key.lowercased(), trimAll($0.value)) }, uniquingKeysWith: { first, second in "\(first),\(second)" })
        let names = normalized.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        let canonical = names.map { "\($0):\(normalized[$0] ?? "")" }.joined(separator: "\n")
        return (canonical, names.joined(separator: ";"))
    }

    /// The `host` header value for a URL: host, plus the port when it is not the default.
    public static func hostHeader(for url: URL) -> String {
        var host = (url.host ?? "").lowercased()
        if host.contains(":") && !host.hasPrefix("[") { host = "[\(host)]" }
        if let port = url.port {
            let scheme = url.scheme?.lowercased()
            let isDefault = (scheme == "https" && port == 443) || (scheme == "http" && port == 80)
            if !isDefault { host += ":\(port)" }
        }
        return host
    }

    /// The canonical URI of a URL: its percent-encoded path, or `/` when empty.
    public static func canonicalPath(for url: URL) -> String {
        let path = url.path(percentEncoded: true)
        return path.isEmpty ? "/" : path
    }
}
