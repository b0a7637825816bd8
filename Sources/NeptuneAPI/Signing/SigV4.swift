import Crypto
import Foundation

/// AWS Signature Version 4, as a pure value: every entry point takes the signing `Date`.
///
/// The steps carry the names of the AWS documentation and are public so each can be tested
/// against exact strings: ``canonicalRequest(method:path:canonicalQuery:canonicalHeaders:signedHeaders:payloadHash:)``,
/// ``stringToSign(canonicalRequest:at:)``, ``signingKey(at:)`` and ``signature(stringToSign:at:)``.
/// ``sign(_:at:)`` signs a request with an `Authorization` header; ``presign(endpoint:parameters:at:expires:)``
/// builds a query-string-signed URL (see `SigV4+Presign.swift`).
public struct SigV4: Sendable {
    /// The algorithm name in the string to sign and the `Authorization` header.
    public static let algorithm = "AWS4-HMAC-SHA256"
    /// SHA-256 of the empty payload.
    public static let emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    /// Headers never signed (as in botocore): proxies and HTTP clients may change them.
    static let unsignedHeaders: Set<String> = [
        "authorization", "connection", "content-length", "expect", "keep-alive", "proxy-authenticate",
        "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade", "user-agent", "x-amzn-trace-id",
        "accept-encoding", "accept-language",
    ]

    /// The credentials that sign.
    public let credentials: Credentials
    /// The region in the credential scope, e.g. `us-east-1`.
    public let region: String
    /// The signing name in the credential scope, e.g. `rds` or `sts`.
    public let service: String

    /// Creates a signer for one credential scope.
    public init(credentials: Credentials, region: String, service: String) {
        self.credentials = credentials
        self.region = region
        self.service = service
    }

    // MARK: Dates and scope

    /// The ISO 8601 basic timestamp, e.g. `20150830T123600Z`.
    public static func timestamp(_ date: Date) -> String {
        let c = UTCComponents(date)
        return "\(c.dateStamp)T\(pad(c.hour))\(pad(c.minute))\(pad(c.second))Z"
    }

    /// The date stamp, e.g. `20150830`.
    public static func dateStamp(_ date: Date) -> String {
        UTCComponents(date).dateStamp
    }

    /// The credential scope: `20150830/us-east-1/service/aws4_request`.
    public func credentialScope(at date: Date) -> String {
        "\(Self.dateStamp(date))/\(region)/\(service)/aws4_request"
    }

    // MARK: Task 1: canonical request

    /// Joins the canonical request lines.
    ///
    /// `canonicalHeaders` is the block of `name:value` lines without its trailing blank line.
    public static func canonicalRequest(method: String, path: String, canonicalQuery: String, canonicalHeaders: String, signedHeaders: String, payloadHash: String) -> String {
        [method.uppercased(), path, canonicalQuery, canonicalHeaders + "\n", signedHeaders, payloadHash].joined(separator: "\n")
    }

    /// The canonical request for `request`, signing every header it carries except those
    /// HTTP clients may rewrite (see ``unsignedHeaders``), plus `host` from the URL.
    public func canonicalRequest(for request: HTTPRequest) -> (canonicalRequest: String, signedHeaders: String) {
        var toSign: [String: String] = [:]
        for (name, value) in request.headers where !Self.unsignedHeaders.contains(name) {
            toSign[name] = value
        }
        if toSign["host"] == nil { toSign["host"] = Self.hostHeader(for: request.url) }
        let headers = Self.canonicalHeaders(toSign)
        let query = request.url.query(percentEncoded: true)
        let canonical = Self.canonicalRequest(
            method: request.method,
            path: Self.canonicalPath(for: request.url),
            canonicalQuery: Self.canonicalQuery(query),
            canonicalHeaders: headers.canonical,
            signedHeaders: headers.signed,
            payloadHash: Self.hexSHA256(request.body)
        )
        return (canonical, headers.signed)
    }

    // MARK: Task 2: string to sign

    /// `AWS4-HMAC-SHA256 \n timestamp \n scope \n hex(sha256(canonical request))`.
    public func stringToSign(canonicalRequest: String, at date: Date) -> String {
        [Self.algorithm, Self.timestamp(date), credentialScope(at: date), Self.hexSHA256(Data(canonicalRequest.utf8))].joined(separator: "\n")
    }

    // MARK: Task 3: signing key and signature

    /// The derived signing key: HMAC chain over date, region, service and `aws4_request`.
    public func signingKey(at date: Date) -> SymmetricKey {
        let secret = SymmetricKey(data: Data("AWS4\(credentials.secretAccessKey)".utf8))
        let kDate = Self.hmac(secret, Self.dateStamp(date))
        let kRegion = Self.hmac(kDate, region)
        let kService = Self.hmac(kRegion, service)
        return Self.hmac(kService, "aws4_request")
    }

    /// The hex signature of `stringToSign`.
    public func signature(stringToSign: String, at date: Date) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data(stringToSign.utf8), using: signingKey(at: date))
        return Self.hex(mac)
    }

    // MARK: Signing a request

    /// Returns `request` with `x-amz-date`, `x-amz-security-token` (for temporary
    /// credentials) and `authorization` set.
    public func sign(_ request: HTTPRequest, at date: Date) -> HTTPRequest {
        var signed = request
        signed.setHeader("authorization", nil)
        signed.setHeader("x-amz-date", Self.timestamp(date))
        signed.setHeader("x-amz-security-token", credentials.sessionToken)
        let canonical = canonicalRequest(for: signed)
        let toSign = stringToSign(canonicalRequest: canonical.canonicalRequest, at: date)
        let signature = signature(stringToSign: toSign, at: date)
        signed.setHeader(
            "authorization",
            "\(Self.algorithm) Credential=\(credentials.accessKeyID)/\(credentialScope(at: date)), SignedHeaders=\(canonical.signedHeaders), Signature=\(signature)"
        )
        return signed
    }

    // MARK: Helpers

    /// Lower-case hex SHA-256 of `data`.
    public static func hexSHA256(_ data: Data) -> String {
        hex(SHA256.hash(data: data))
    }

    static func hmac(_ key: SymmetricKey, _ message: String) -> SymmetricKey {
        SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Data(message.utf8), using: key)))
    }

    static func hex<D: Sequence>(_ bytes: D) -> String where D.Element == UInt8 {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Python's `' '.join(value.split())`: trims and collapses whitespace runs.
    static func trimAll(_ value: String) -> String {
        // Most values need nothing: no leading, trailing, doubled or non-space whitespace.
        var previousWasSpace = true
        var isClean = true
        for byte in value.utf8 {
            if byte == 0x20 {
                if previousWasSpace { isClean = false; break }
                previousWasSpace = true
            } else if byte == 0x09 || byte == 0x0A || byte == 0x0B || byte == 0x0C || byte == 0x0D {
                isClean = false
                break
            } else {
                previousWasSpace = false
            }
        }
        if isClean && !(previousWasSpace && !value.isEmpty) { return value }
        return value.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "\u{0B}" || $0 == "\u{0C}" })
            .joined(separator: " ")
    }

    static func pad(_ value: Int, width: Int = 2) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }
}
