import Foundation
@testable import NeptuneAPI

/// The signing time of the botocore vectors: 2024-05-01T12:34:56Z.
let vectorDate = Date(timeIntervalSince1970: 1_714_566_896)

/// The AWS SigV4 test-suite date: 2015-08-30T12:36:00Z.
let suiteDate = Date(timeIntervalSince1970: 1_440_938_160)

/// The AWS SigV4 test-suite keys (public example values, not secrets).
let suiteCredentials = Credentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")

/// Records requested sleeps instead of sleeping.
actor RecordingSleeper: Sleeper {
    private(set) var sleeps: [Duration] = []

    func sleep(for duration: Duration) async throws {
        sleeps.append(duration)
    }
}

/// Collects log entries from a `@Sendable` callback.
final class LogCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [RequestLogEntry] = []

    var entries: [RequestLogEntry] {
        lock.lock()
        defer { lock.unlock() }
        return stored
    }

    var log: RequestLog {
        RequestLog { entry in
            self.lock.lock()
            self.stored.append(entry)
            self.lock.unlock()
        }
    }
}

/// A client wired to a scripted transport with a fixed clock and no real sleeping.
struct ClientHarness {
    let transport: ScriptedTransport
    let sleeper = RecordingSleeper()
    let logs = LogCollector()
    let counter = APICallCounter()
    let client: NeptuneClient

    init(_ steps: [ScriptedTransport.Step] = [], region: String = "us-east-1", credentials: Credentials = suiteCredentials, retryPolicy: RetryPolicy = .standard, random: Double = 0.5, fallback: ScriptedTransport.Handler? = nil) {
        transport = ScriptedTransport(steps, fallback: fallback)
        let configuration = ClientConfiguration(
            transport: transport,
            retryPolicy: retryPolicy,
            sleeper: sleeper,
            log: logs.log,
            counter: counter,
            random: { random },
            now: { vectorDate }
        )
        client = NeptuneClient(region: region, credentials: StaticCredentialProvider(credentials), configuration: configuration)
    }

    /// The form parameters of every request sent, decoded.
    func sentParameters() async -> [[String: String]] {
        await transport.requests.map { formParameters($0.body) }
    }

    /// The `Action` of every request sent.
    func sentActions() async -> [String] {
        await sentParameters().map { $0["Action"] ?? "?" }
    }
}

/// Decodes a form body (`+` as space) into a dictionary.
func formParameters(_ body: Data) -> [String: String] {
    var result: [String: String] = [:]
    for pair in String(decoding: body, as: UTF8.self).split(separator: "&") {
        let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
        func decode(_ s: Substring) -> String {
            String(s).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(s)
        }
        result[decode(parts[0])] = parts.count > 1 ? decode(parts[1]) : ""
    }
    return result
}

/// An HTTP response with a Query-API XML body.
func xmlResponse(_ body: String, status: Int = 200, headers: [String: String] = [:]) -> ScriptedTransport.Step {
    .xml(body, status: status, headers: headers)
}
