import Foundation
import NeptuneAPI

/// Checks a request's SigV4 `Authorization` header by recomputing it with NeptuneAPI's signer
/// and the benchmark's fixed credentials.
struct SignatureVerifier: Sendable {
    let credentials: Credentials

    /// What a signed request says about itself.
    struct Scope: Sendable {
        var region: String
        var service: String
    }

    enum Failure: Error {
        case missing
        case malformed(String)
        case unknownKey(String)
        case mismatch
    }

    /// Verifies the request; returns its credential scope.
    /// - Parameters:
    ///   - uri: The request target as sent (`/` or `/path?query`).
    ///   - headers: Every header of the request, names in any case, repeated names in order.
    func verify(method: String, uri: String, headers: [(String, String)], body: Data) -> Result<Scope, Failure> {
        guard let authorization = headers.first(where: { $0.0.lowercased() == "authorization" })?.1 else { return .failure(.missing) }
        guard authorization.hasPrefix(SigV4.algorithm + " ") else { return .failure(.malformed("algorithm")) }
        var fields: [String: String] = [:]
        for part in authorization.dropFirst(SigV4.algorithm.count + 1).split(separator: ",") {
            let trimmed = part.trimmingCharacters(in: .whitespaces)
            guard let equals = trimmed.firstIndex(of: "=") else { continue }
            fields[String(trimmed[..<equals])] = String(trimmed[trimmed.index(after: equals)...])
        }
        guard let credential = fields["Credential"], let signedHeaders = fields["SignedHeaders"], let signature = fields["Signature"] else {
            return .failure(.malformed("fields"))
        }
        let scope = credential.split(separator: "/").map(String.init)
        guard scope.count == 5, scope[4] == "aws4_request" else { return .failure(.malformed("credential scope")) }
        guard scope[0] == credentials.accessKeyID else { return .failure(.unknownKey(scope[0])) }
        var byName: [String: String] = [:]
        for (name, value) in headers {
            let lower = name.lowercased()
            byName[lower] = byName[lower].map { "\($0),\(value)" } ?? value
        }
        guard let amzDate = byName["x-amz-date"], let date = Self.parseTimestamp(amzDate), SigV4.dateStamp(date) == scope[1] else {
            return .failure(.malformed("x-amz-date"))
        }
        var signed: [String: String] = [:]
        for name in signedHeaders.split(separator: ";").map(String.init) {
            guard let value = byName[name] else { return .failure(.malformed("signed header \(name) missing")) }
            signed[name] = value
        }
        let host = byName["host"] ?? "127.0.0.1"
        guard let url = URL(string: "http://\(host)\(uri)") else { return .failure(.malformed("uri")) }
        let headerBlock = SigV4.canonicalHeaders(signed)
        let canonical = SigV4.canonicalRequest(
            method: method, path: SigV4.canonicalPath(for: url), canonicalQuery: SigV4.canonicalQuery(url.query(percentEncoded: true)),
            canonicalHeaders: headerBlock.canonical, signedHeaders: headerBlock.signed, payloadHash: SigV4.hexSHA256(body))
        let signer = SigV4(credentials: credentials, region: scope[2], service: scope[3])
        let expected = signer.signature(stringToSign: signer.stringToSign(canonicalRequest: canonical, at: date), at: date)
        guard expected == signature else { return .failure(.mismatch) }
        return .success(Scope(region: scope[2], service: scope[3]))
    }

    /// `20150830T123600Z` as a date.
    static func parseTimestamp(_ text: String) -> Date? {
        let digits = Array(text.utf8)
        guard digits.count == 16, digits[8] == UInt8(ascii: "T"), digits[15] == UInt8(ascii: "Z") else { return nil }
        func number(_ range: Range<Int>) -> Int? { Int(String(decoding: digits[range], as: UTF8.self)) }
        guard let year = number(0..<4), let month = number(4..<6), let day = number(6..<8),
              let hour = number(9..<11), let minute = number(11..<13), let second = number(13..<15) else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? .current
        return calendar.date(from: DateComponents(year: year, month: month, day: day, hour: hour, minute: minute, second: second))
    }
}
