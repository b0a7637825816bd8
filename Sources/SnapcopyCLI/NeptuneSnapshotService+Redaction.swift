import Foundation

/// Removes anything secret from a message before it is printed.
///
/// The API client's errors hold no secret by construction; this is the last line of defence
/// for what a service may echo back: AWS's `SignatureDoesNotMatch` can quote the expected
/// canonical request (which carries the session token), and any text may quote a pre-signed
/// URL or a signed query. Known secret values (the environment's) are masked too.
struct SecretRedactor: Sendable {
    /// Values masked wherever they appear.
    var secrets: [String] = []

    static let placeholder = "<redacted>"

    /// Phrases after which AWS quotes the canonical request or string to sign.
    static let canonicalRequestMarkers = [
        "The Canonical String for this request should have been",
        "The String-to-Sign should have been",
    ]

    func redact(_ text: String) -> String {
        var text = text
        for marker in Self.canonicalRequestMarkers {
            if let range = text.range(of: marker) {
                text = String(text[..<range.lowerBound]) + "(the service's expected canonical request is not shown: it holds credentials)"
            }
        }
        text = text.replacing(#/(?i)https?://[^\s"'<>]*x-amz-signature[^\s"'<>]*/#) { _ in Self.placeholder }
        text = text.replacing(#/(?i)\b(x-amz-security-token|x-amz-signature|x-amz-credential|presignedurl|sessiontoken|secretaccesskey|signature|credential)=[^&\s"'<>,]+/#) { match in
            "\(match.output.1)=\(Self.placeholder)"
        }
        text = text.replacing(#/(?i)<(SecretAccessKey|SessionToken)>[^<]*</#) { match in
            "<\(match.output.1)>\(Self.placeholder)<"
        }
        for secret in secrets where !secret.isEmpty {
            text = text.replacingOccurrences(of: secret, with: Self.placeholder)
        }
        return text
    }
}
