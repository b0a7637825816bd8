import Foundation
import NeptuneAPI
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The hostile Neptune endpoint of `Tests/FakeNeptune/hostile_server.py`: raw sockets, one
/// misbehaviour per path (truncated XML, a 100 MB body, HTML error pages, endless markers,
/// stalls, dropped connections, errors with a 200, the wrong snapshot, ...).
///
/// One process serves every scenario; ``endpoint(_:key:)`` gives the endpoint URL of one, with
/// a key of the test's own so tests running in parallel keep separate counters. The Python
/// process binds a free port on 127.0.0.1 itself, says so on its standard output, and exits
/// when this process does, on ``stop()``, or after 30 minutes.
public actor HostileServer {
    /// One misbehaviour (the first path segment; see the script's docstring).
    public enum Scenario: String, Sendable, CaseIterable {
        case ok, truncated, unknownElements = "unknown-elements", huge, hugeChunked = "huge-chunked"
        case json, textPlain = "text-plain", xmlAsText = "xml-as-text", html200 = "html-200"
        case html502 = "html-502", html503 = "html-503", error200 = "error-200", throttle200 = "throttle-200"
        case sameMarker = "same-marker", markerCycle = "marker-cycle", endlessMarkers = "endless-markers"
        case stallHeaders = "stall-headers", stallBody = "stall-body", trickle
        case closeAtOnce = "close-at-once", closeHeaders = "close-headers", closeBody = "close-body", closeChunked = "close-chunked"
        case wrongSnapshot = "wrong-snapshot", deepNesting = "deep-nesting", entityBomb = "entity-bomb", echo
    }

    /// `http://127.0.0.1:PORT`.
    public nonisolated let base: URL
    private let process: Process

    private init(base: URL, process: Process) {
        self.base = base
        self.process = process
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    /// The one server of a test process, started on first use (about 0.1 s).
    public static let shared = Task { try await HostileServer.start() }

    /// Starts a server and waits (up to 60 s) until it listens.
    public static func start() async throws -> HostileServer {
        let (process, port) = try await launchReadyScript("hostile_server.py", [], name: "hostile_server.py")
        guard let base = URL(string: "http://127.0.0.1:\(port)") else { throw FakeNeptuneError("hostile_server.py: bad port \(port)") }
        return HostileServer(base: base, process: process)
    }

    /// The endpoint URL that plays `scenario`: `http://127.0.0.1:PORT/SCENARIO/KEY`.
    public nonisolated func endpoint(_ scenario: Scenario, key: String = UUID().uuidString) -> URL {
        base.appendingPathComponent(scenario.rawValue).appendingPathComponent(key)
    }

    /// What the server saw of the requests to one endpoint.
    public struct Stats: Decodable, Sendable {
        /// Requests received.
        public var requests: Int
        /// Bytes written back (headers and bodies).
        public var bytesSent: Int
        /// Answers the client cut short by closing the connection.
        public var clientHungUp: Int
        /// The `Marker` of each describe request (`nil` for the first page).
        public var markers: [String?]
    }

    /// The counters of `endpoint`.
    public func stats(of endpoint: URL) async throws -> Stats {
        var components = URLComponents(url: base.appendingPathComponent("_hostile/stats"), resolvingAgainstBaseURL: false)
        components?.queryItems = [URLQueryItem(name: "key", value: endpoint.path)]
        guard let url = components?.url else { throw FakeNeptuneError("bad stats URL for \(endpoint.path)") }
        let response = try await TestTransport.shared.send(HTTPRequest(method: "GET", url: url, timeout: .seconds(10)))
        return try JSONDecoder().decode(Stats.self, from: response.body)
    }

    /// Stops the server. Safe to call twice.
    public func stop() {
        if process.isRunning { process.terminate() }
    }
}
