import Foundation

/// The JSON document the container and instance metadata endpoints answer with:
/// `{"AccessKeyId", "SecretAccessKey", "Token", "Expiration"}` (IMDS adds `"Code": "Success"`).
struct MetadataCredentials: Decodable {
    let Code: String?
    let AccessKeyId: String?
    let SecretAccessKey: String?
    let Token: String?
    let Expiration: String?

    /// Decodes `body`; the message never quotes the body, which holds secrets.
    /// - Parameter origin: what answered, e.g. `the container credentials endpoint 127.0.0.1:8080`.
    static func decode(_ body: Data, origin: String, source: String) throws -> Credentials {
        let document: MetadataCredentials
        do {
            document = try JSONDecoder().decode(MetadataCredentials.self, from: body)
        } catch {
            throw CredentialsError(kind: .invalidConfiguration, message: "\(origin) did not answer with the expected JSON ({\"AccessKeyId\": ..., \"SecretAccessKey\": ..., \"Token\": ..., \"Expiration\": ...}).")
        }
        if let code = document.Code, code != "Success" {
            throw CredentialsError(kind: .invalidConfiguration, message: "\(origin) answered with Code \"\(NeptuneAPIError.sanitizedSnippet(Data(code.utf8), limit: 40))\" instead of Success.")
        }
        guard let accessKey = document.AccessKeyId, !accessKey.isEmpty, let secret = document.SecretAccessKey, !secret.isEmpty else {
            throw CredentialsError(kind: .invalidConfiguration, message: "\(origin) answered without AccessKeyId and SecretAccessKey.")
        }
        var expiration: Date?
        if let text = document.Expiration {
            guard let date = AWSTimestamp.parse(text) else {
                throw CredentialsError(kind: .invalidConfiguration, message: "\(origin) answered with an Expiration that is not an ISO 8601 timestamp.")
            }
            expiration = date
        }
        return Credentials(accessKeyID: accessKey, secretAccessKey: secret, sessionToken: document.Token, expiration: expiration, source: source)
    }
}

/// `host:port` of a URL, for messages (never the path or query).
func hostAndPort(_ url: URL) -> String {
    let endpoint = Endpoint(url)
    let host = endpoint.host.map { $0.contains(":") ? "[\($0)]" : $0 } ?? "?"
    return endpoint.port.map { "\(host):\($0)" } ?? host
}
