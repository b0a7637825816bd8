import Foundation

extension SigV4 {
    /// The default lifetime of a pre-signed URL, in seconds (botocore's default).
    public static let defaultPresignExpiry = 3600

    /// Builds a pre-signed `GET` URL with query-string SigV4 authentication, byte-identical
    /// to botocore's `SigV4QueryAuth`.
    ///
    /// The query is the operation `parameters` in the given order, then `X-Amz-Algorithm`,
    /// `X-Amz-Credential`, `X-Amz-Date`, `X-Amz-Expires`, `X-Amz-SignedHeaders` (`host`) and,
    /// for temporary credentials, `X-Amz-Security-Token`, all RFC 3986 percent-encoded; then
    /// `X-Amz-Signature`. The payload hash is that of the empty body.
    ///
    /// - Parameters:
    ///   - endpoint: The endpoint to sign for, e.g. `https://rds.us-east-1.amazonaws.com/`;
    ///     an empty path becomes `/`, any existing query is dropped.
    ///   - parameters: Operation parameters, e.g. `Action`, `Version`, ...
    ///   - date: The signing time.
    ///   - expires: Lifetime in seconds.
    public func presign(endpoint: URL, parameters: [(String, String)], at date: Date, expires: Int = SigV4.defaultPresignExpiry) -> PresignedURL {
        var authParameters: [(String, String)] = [
            ("X-Amz-Algorithm", Self.algorithm),
            ("X-Amz-Credential", "\(credentials.accessKeyID)/\(credentialScope(at: date))"),
            ("X-Amz-Date", Self.timestamp(date)),
            ("X-Amz-Expires", String(expires)),
            ("X-Amz-SignedHeaders", "host"),
        ]
        if let token = credentials.sessionToken {
            authParameters.append(("X-Amz-Security-Token", token))
        }
        var query = ""
        if !parameters.isEmpty { query = QueryEncoding.percentEncodeSequence(parameters) + "&" }
        query += QueryEncoding.percentEncodeSequence(authParameters)

        let path = Self.canonicalPath(for: endpoint)
        let host = Self.hostHeader(for: endpoint)
        let headers = Self.canonicalHeaders(["host": host])
        let canonical = Self.canonicalRequest(
            method: "GET",
            path: path,
            canonicalQuery: Self.canonicalQuery(query),
            canonicalHeaders: headers.canonical,
            signedHeaders: headers.signed,
            payloadHash: Self.emptyPayloadHash
        )
        let signature = signature(stringToSign: stringToSign(canonicalRequest: canonical, at: date), at: date)
        let scheme = endpoint.scheme?.lowercased() ?? "https"
        let authority = Self.authority(of: endpoint)
        return PresignedURL(unredacted: "\(scheme)://\(authority)\(path)?\(query)&X-Amz-Signature=\(signature)")
    }

    /// The `host[:port]` part of a URL as written (botocore keeps the netloc unchanged).
    static func authority(of url: URL) -> String {
        var host = url.host ?? ""
        if host.contains(":") && !host.hasPrefix("[") { host = "[\(host)]" }
        if let port = url.port { host += ":\(port)" }
        return host
    }
}
