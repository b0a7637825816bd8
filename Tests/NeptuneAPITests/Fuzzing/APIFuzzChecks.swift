import Foundation
import NeptuneAPI

/// A property every input must have that one input broke.
struct FuzzViolation: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) {
        self.description = description
    }
}

/// What the API client's fuzz targets (`Tests/Fuzz/XMLResponse`, `Tests/Fuzz/QueryRoundTrip`)
/// run on each input.
///
/// `scripts/fuzz` compiles this file into the libFuzzer binaries, and the regression tests
/// (`FuzzRegressionTests`) call the same functions, so a saved input replays exactly as it was
/// found. Public API only: a response body reaches the decoders through ``NeptuneClient`` and an
/// in-memory transport, as it would from the network.
enum APIFuzzChecks {
    // MARK: - XML responses

    /// One response body fed to the client as the answer to each operation that decodes one:
    /// `DescribeDBClusterSnapshots` (with `Marker` paging, the transport answering every page with
    /// the same body), `ListTagsForResource` and `DeleteDBClusterSnapshot` with HTTP 200, and
    /// `DescribeDBClusterSnapshots` with HTTP 400 and 404 (the error decoder; with 404 for one
    /// snapshot, where a not-found fault means nil). Each call returns a result or throws a
    /// ``NeptuneAPIError`` that is safe to print; nothing else, and it ends.
    static func xmlResponse(_ bytes: [UInt8]) async throws(FuzzViolation) {
        let body = Data(bytes)
        try await expectCleanResult("DescribeDBClusterSnapshots (200)", status: 200, body: body) { client in
            let snapshots = try await client.describeDBClusterSnapshots()
            _ = snapshots.map(\.identifier)
        }
        try await expectCleanResult("ListTagsForResource (200)", status: 200, body: body) { client in
            _ = try await client.listTagsForResource(arn: "arn:aws:rds:us-east-1:123456789012:cluster-snapshot:s1")
        }
        try await expectCleanResult("DeleteDBClusterSnapshot (200)", status: 200, body: body) { client in
            _ = try await client.deleteDBClusterSnapshot(identifier: "s1")
        }
        try await expectCleanResult("DescribeDBClusterSnapshots (400)", status: 400, body: body, mustFail: true) { client in
            _ = try await client.describeDBClusterSnapshots()
        }
        // A DBClusterSnapshotNotFoundFault is the one error the single-snapshot describe answers with nil.
        try await expectCleanResult("DescribeDBClusterSnapshots of one snapshot (404)", status: 404, body: body) { client in
            if let snapshot = try await client.describeDBClusterSnapshot(identifier: "s1") {
                throw UnexpectedSuccess(detail: "an HTTP 404 response was taken as the snapshot \(snapshot)")
            }
        }
    }

    /// A call that should have failed and returned something.
    private struct UnexpectedSuccess: Error {
        var detail: String
    }

    /// Runs `call` against a client whose every request is answered with `status` and `body`.
    private static func expectCleanResult(
        _ name: String, status: Int, body: Data, mustFail: Bool = false,
        _ call: @Sendable (NeptuneClient) async throws -> Void
    ) async throws(FuzzViolation) {
        let response = HTTPResponse(status: status, headers: ["Content-Type": "text/xml"], body: body)
        let transport = ScriptedTransport(fallback: { _ in response })
        let client = NeptuneClient(
            region: "us-east-1",
            credentials: StaticCredentialProvider(Credentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "fuzz-not-a-secret")),
            configuration: ClientConfiguration(transport: transport, retryPolicy: .none, sleeper: NoSleep(), random: { 0.5 }, now: { Date(timeIntervalSince1970: 1_800_000_000) })
        )
        do {
            try await call(client)
        } catch let error as NeptuneAPIError {
            // A 200 may fail only as unparseable, or as the error its <ErrorResponse> body carries
            // (proxies and some endpoints answer errors with a 200; see HostileResponseTests).
            let text = String(decoding: body, as: UTF8.self)
            let carriesAnError = text.contains("<ErrorResponse") || text.contains("<Errors>")
            if status == 200, error.code != .unparseableResponse, !carriesAnError {
                throw FuzzViolation("\(name): a 200 response failed with \(error.code), not as unparseable: \(error)")
            }
            if status != 200, error.httpStatus != status {
                throw FuzzViolation("\(name): the error carries HTTP \(error.httpStatus)")
            }
            if let snippet = error.bodySnippet, snippet.count > 200 {
                throw FuzzViolation("\(name): a body snippet of \(snippet.count) characters")
            }
            if let bad = error.description.unicodeScalars.first(where: isUnsafeToPrint) {
                throw FuzzViolation("\(name): the error's description carries U+\(String(bad.value, radix: 16, uppercase: true)), unsafe to print on a terminal")
            }
            return
        } catch let error as UnexpectedSuccess {
            throw FuzzViolation("\(name): \(error.detail)")
        } catch {
            throw FuzzViolation("\(name): a response body caused \(type(of: error)), not a NeptuneAPIError: \(error)")
        }
        if mustFail { throw FuzzViolation("\(name): an HTTP \(status) response was taken as a success") }
    }

    /// Control characters: C0 (a line break would forge a line of output), DEL, and C1 (U+009B
    /// is an 8-bit CSI a terminal may act on).
    static func isUnsafeToPrint(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }

    /// Never sleeps: the checks use no retries, and nothing may wait.
    private struct NoSleep: Sleeper {
        func sleep(for duration: Duration) async throws {}
    }

    // MARK: - Query encoding

    /// The Query encoders round trip: the bytes, split at NUL into alternating names and values
    /// (read as UTF-8, invalid sequences replaced), are encoded as a form body and as an RFC 3986
    /// query string; an independent decoder must give back exactly the same pairs, the output
    /// may hold only unreserved characters and `% + = &`, and each value's RFC 3986 encoding must
    /// equal Foundation's `addingPercentEncoding` with the unreserved set.
    static func queryRoundTrip(_ bytes: [UInt8]) throws(FuzzViolation) {
        let fields = bytes.split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        var parameters: [(String, String)] = []
        var index = 0
        while index < fields.count {
            parameters.append((fields[index], index + 1 < fields.count ? fields[index + 1] : ""))
            index += 2
        }
        if bytes.isEmpty { parameters = [] }

        let body = QueryEncoding.encode(parameters)
        let query = QueryEncoding.percentEncodeSequence(parameters)
        for (name, encoded, spaceAsPlus) in [("form body", body, true), ("query string", query, false)] {
            let decoded: [(String, String)]
            do { decoded = try decode(encoded, spaceAsPlus: spaceAsPlus) } catch {
                throw FuzzViolation("the \(name) \(encoded.prefix(200)) does not decode: \(error)")
            }
            guard decoded.count == parameters.count,
                  zip(decoded, parameters).allSatisfy({ same($0.0, $1.0) && same($0.1, $1.1) }) else {
                throw FuzzViolation("the \(name) decodes to other parameters: \(encoded.prefix(200))")
            }
        }
        for (name, value) in parameters {
            for text in [name, value] {
                let expected = text.addingPercentEncoding(withAllowedCharacters: unreserved)
                guard QueryEncoding.percentEncode(text) == expected else {
                    throw FuzzViolation("percentEncode(\(text.debugDescription)) is \(QueryEncoding.percentEncode(text)), Foundation says \(expected ?? "nil")")
                }
            }
        }
    }

    /// RFC 3986's unreserved characters, the only ones the encoders leave as they are.
    private static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~")

    /// Scalar by scalar: String's == would call canonically equivalent texts equal.
    private static func same(_ a: String, _ b: String) -> Bool {
        a.unicodeScalars.elementsEqual(b.unicodeScalars)
    }

    /// A strict decoder written apart from `QueryEncoding`: `&` between pairs, one `=` in each,
    /// `%XX` with upper-case hex, `+` as a space only in a form body, every other byte unreserved,
    /// and valid UTF-8 once decoded.
    private static func decode(_ text: String, spaceAsPlus: Bool) throws(FuzzViolation) -> [(String, String)] {
        if text.isEmpty { return [] }
        func component(_ part: ArraySlice<UInt8>) throws(FuzzViolation) -> String {
            var out: [UInt8] = []
            var i = part.startIndex
            while i < part.endIndex {
                let byte = part[i]
                switch byte {
                case UInt8(ascii: "%"):
                    guard i + 2 < part.endIndex,
                          let high = hexValue(part[i + 1]), let low = hexValue(part[i + 2]) else {
                        throw FuzzViolation("a bad %-escape")
                    }
                    out.append(high << 4 | low)
                    i += 3
                case UInt8(ascii: "+"):
                    guard spaceAsPlus else { throw FuzzViolation("a + in an RFC 3986 query string") }
                    out.append(UInt8(ascii: " "))
                    i += 1
                case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                     UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                    out.append(byte)
                    i += 1
                default:
                    throw FuzzViolation("the byte 0x\(String(byte, radix: 16)) left unencoded")
                }
            }
            guard let decoded = String(validating: out, as: UTF8.self) else { throw FuzzViolation("not UTF-8 once decoded") }
            return decoded
        }
        var pairs: [(String, String)] = []
        for pair in Array(text.utf8).split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: false) {
            let halves = pair.split(separator: UInt8(ascii: "="), omittingEmptySubsequences: false)
            guard halves.count == 2 else { throw FuzzViolation("a pair with \(halves.count - 1) '='") }
            pairs.append((try component(halves[0]), try component(halves[1])))
        }
        return pairs
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
