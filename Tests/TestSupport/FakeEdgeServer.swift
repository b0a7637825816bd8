import Foundation
import NeptuneAPI
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One of the small local fakes of `Tests/FakeNeptune/fake_edges.py`: an IMDSv2 server, a
/// container credentials endpoint, an SSO portal, a forwarding proxy, a TLS terminator, or a
/// keep-alive front for fake_neptune.
///
/// The Python process binds a free port on 127.0.0.1 itself (no probe race), says so on its
/// standard output, and exits when this process does, on ``stop()``, or after 30 minutes.
public actor FakeEdgeServer {
    /// What the fake plays.
    public enum Mode: String, Sendable {
        case imds, container, sso, proxy, tls, front
    }

    /// `http://127.0.0.1:PORT` (for `tls`, connect with `https://localhost:PORT`).
    public nonisolated let endpoint: URL
    /// The port it listens on.
    public nonisolated let port: Int
    private let process: Process

    private init(endpoint: URL, port: Int, process: Process) {
        self.endpoint = endpoint
        self.port = port
        self.process = process
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    /// Starts a fake and waits (up to 60 s) until it listens.
    /// - Parameters:
    ///   - token: the token it checks (container `Authorization`, SSO bearer token, IMDS session token).
    ///   - expiresSeconds: the lifetime of the credentials it hands out.
    ///   - arguments: more options (`--cert`, `--key`, `--upstream-port` for `tls`).
    public static func start(_ mode: Mode, token: String = "fake-token", expiresSeconds: Double = 3600, arguments: [String] = []) async throws -> FakeEdgeServer {
        let (process, port) = try await launchReadyScript(
            "fake_edges.py", [mode.rawValue, "--token", token, "--expires-seconds", String(expiresSeconds)] + arguments,
            name: "fake_edges.py \(mode.rawValue)")
        guard let endpoint = URL(string: "http://127.0.0.1:\(port)") else { throw FakeNeptuneError("fake_edges.py: bad port \(port)") }
        return FakeEdgeServer(endpoint: endpoint, port: port, process: process)
    }

    /// What the fake counted.
    public struct Stats: Decodable, Sendable {
        /// A set of credentials handed out.
        public struct Issued: Decodable, Sendable {
            public var accessKeyId: String
            /// Unix seconds.
            public var expiration: Double
        }
        public var requests: Int
        public var rejected: Int
        public var tokenRequests: Int
        public var issued: [Issued]
        /// `host:port` → CONNECT tunnels opened (proxy).
        public var tunnels: [String: Int]
        /// Absolute-form requests forwarded (proxy).
        public var forwarded: Int
        /// `host:port` → CONNECTs refused because the target is not loopback (never contacted).
        public var refusedTunnels: [String: Int]
        /// The query parameters of each SSO `GetRoleCredentials` call.
        public var queries: [[String: String]]

        /// Tunnels plus forwarded requests.
        public var proxiedRequests: Int { tunnels.values.reduce(0, +) + forwarded }
    }

    /// Reads the fake's counters (not for `tls`).
    public func stats() async throws -> Stats {
        let response = try await TestTransport.shared.send(HTTPRequest(method: "GET", url: endpoint.appendingPathComponent("_edge/stats"), timeout: .seconds(10)))
        return try JSONDecoder().decode(Stats.self, from: response.body)
    }

    /// Stops the fake. Safe to call twice.
    public func stop() {
        if process.isRunning {
            process.terminate()
        }
    }
}

/// Starts fakes, runs `body`, and always stops them.
public func withFakeEdge<Result>(
    _ mode: FakeEdgeServer.Mode, token: String = "fake-token", expiresSeconds: Double = 3600, arguments: [String] = [],
    isolation: isolated (any Actor)? = #isolation,
    _ body: (FakeEdgeServer) async throws -> Result
) async throws -> Result {
    let server = try await FakeEdgeServer.start(mode, token: token, expiresSeconds: expiresSeconds, arguments: arguments)
    do {
        let result = try await body(server)
        await server.stop()
        return result
    } catch {
        await server.stop()
        throw error
    }
}

/// Collects the first line a pipe delivers, on its own thread.
/// Starts `Tests/FakeNeptune/SCRIPT ARGUMENTS --parent-pid <this process>` and waits (up to 60 s:
/// a loaded 2-core machine starting a dozen fakes at once is slow) for the `READY <port>` line it
/// prints once it listens on 127.0.0.1; returns the process and the port.
func launchReadyScript(_ script: String, _ arguments: [String], name: String) async throws -> (Process, Int) {
    let path = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("FakeNeptune/\(script)")
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", path.path] + arguments + ["--parent-pid", String(ProcessInfo.processInfo.processIdentifier)]
    var environment = ProcessInfo.processInfo.environment
    environment["PYTHONDONTWRITEBYTECODE"] = "1"
    process.environment = environment
    let output = Pipe()
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    process.standardInput = FileHandle.nullDevice
    try process.run()
    let reader = LineReader(output.fileHandleForReading)
    let clock = ContinuousClock()
    let deadline = clock.now + .seconds(60)
    while clock.now < deadline {
        if let line = reader.firstLine, line.hasPrefix("READY "), let port = Int(line.dropFirst(6)) {
            return (process, port)
        }
        if !process.isRunning { break }
        try await Task.sleep(for: .milliseconds(20))
    }
    if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    throw FakeNeptuneError("\(name) did not start within 60 s")
}

final class LineReader: @unchecked Sendable {
    private let lock = NSLock()
    private var buffer = Data()

    init(_ handle: FileHandle) {
        Thread.detachNewThread { [self] in
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                lock.withLock { buffer.append(chunk) }
            }
        }
    }

    var firstLine: String? {
        lock.withLock {
            guard let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) else { return nil }
            return String(decoding: buffer[..<newline], as: UTF8.self)
        }
    }
}
