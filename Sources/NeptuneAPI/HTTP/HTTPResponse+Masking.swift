import Foundation

extension HTTPResponse {
    /// The text that replaces a masked value.
    static let maskPlaceholder = "<redacted>"
    /// How much of a body ``masking(_:)`` keeps: 64 KiB.
    static let maskedPrefixBytes = 64 * 1024

    /// The response with `secrets` and anything shaped like a SigV4 signature masked in its
    /// body, for building errors: a misconfigured proxy or hostile server may reflect the
    /// request (its `Authorization` and `X-Amz-Security-Token` headers) in an error page, and
    /// errors quote the body.
    ///
    /// Only the first ``maskedPrefixBytes`` of the body are kept (no AWS error document is
    /// nearly that long, and errors quote 200 characters), read as UTF-8 with invalid bytes
    /// replaced: use this on the error path only.
    func masking(_ secrets: [String]) -> HTTPResponse {
        var text = String(decoding: body.prefix(Self.maskedPrefixBytes), as: UTF8.self)
        for secret in secrets where secret.count >= 8 {
            // As sent in a header, in a pre-signed URL, and in that URL form-encoded in a body.
            let url = QueryEncoding.percentEncode(secret)
            for form in [secret, url, QueryEncoding.formEncode(secret), QueryEncoding.formEncode(url)] {
                text = text.replacingOccurrences(of: form, with: Self.maskPlaceholder)
            }
        }
        // `Signature=` followed by hex (the Authorization header, a pre-signed URL), a token
        // in a URL, and any bare run of 64 hex digits (a signature without its name).
        text = text.replacing(#/(?i)(signature(?:=|%3D))[0-9a-f]{16,}/#) { "\($0.output.1)\(Self.maskPlaceholder)" }
        text = text.replacing(#/(?i)(x-amz-security-token(?:=|%3D))[^&\s"'<>]+/#) { "\($0.output.1)\(Self.maskPlaceholder)" }
        text = text.replacing(#/\b[0-9a-fA-F]{64}\b/#) { _ in Self.maskPlaceholder }
        return HTTPResponse(status: status, headers: headers, body: Data(text.utf8))
    }
}
