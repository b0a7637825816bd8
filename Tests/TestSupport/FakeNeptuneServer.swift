import Foundation
import NeptuneAPI
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A private moto server behind `Tests/FakeNeptune/fake_neptune.py`, one per test.
///
/// It serves every AWS service moto knows, routed by the SigV4 credential scope, plus
/// the `/_fake/` control endpoints that inject faults, seed state and count calls.
/// Start one with ``start(latencyMs:environment:)`` or, better, ``withFakeNeptune(latencyMs:isolation:_:)``,
/// which always stops it. The Python process also exits by itself when the test
/// process dies.
public actor FakeNeptuneServer {
    /// Where to send signed AWS requests and control calls, e.g. `http://127.0.0.1:54321`.
    public nonisolated let endpoint: URL

    private let process: Process
    private let logURL: URL
    private var isStopped = false

    private init(endpoint: URL, process: Process, logURL: URL) {
        self.endpoint = endpoint
        self.process = process
        self.logURL = logURL
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
        }
        try? FileManager.default.removeItem(at: logURL)
    }

    /// Launches the fake on a free loopback port and waits (up to 60 s: a loaded 2-core machine starting a dozen at once is slow) until it answers.
    ///
    /// - Parameters:
    ///   - latencyMs: added to every AWS call from the start (the config's default).
    ///   - environment: the environment of the Python process; `FAKE_NEPTUNE_PYTHON`
    ///     in it names the interpreter (default `python3` on the `PATH`).
    public static func start(
        latencyMs: Int = 0,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) async throws -> FakeNeptuneServer {
        var lastError = FakeNeptuneError("could not start fake_neptune")
        for _ in 0..<5 {
            let port = try LoopbackPort.makeFree()
            do {
                return try await launch(port: port, latencyMs: latencyMs, environment: environment)
            } catch let error as FakeNeptuneError where error.isPortInUse {
                lastError = error  // someone took the port between our probe and the bind
            }
        }
        throw lastError
    }

    /// Stops the server: SIGTERM, then SIGKILL after 5 s. Safe to call twice.
    public func stop() async {
        guard !isStopped else { return }
        isStopped = true
        if process.isRunning {
            process.terminate()
        }
        await Self.waitForExit(of: process, within: .seconds(5))
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            await Self.waitForExit(of: process, within: .seconds(2))
        }
        try? FileManager.default.removeItem(at: logURL)
    }

    /// The last `maxBytes` of what the server wrote to stderr (empty when all is well).
    public func log(maxBytes: Int = 8_192) -> String {
        Self.tail(of: logURL, maxBytes: maxBytes)
    }

    // MARK: - Launching

    private static func launch(
        port: Int, latencyMs: Int, environment: [String: String]
    ) async throws -> FakeNeptuneServer {
        let script = try scriptURL()
        let logURL = FileManager.default.temporaryDirectory
            .appendingPathComponent("fake-neptune-\(port)-\(UUID().uuidString).log")
        guard FileManager.default.createFile(atPath: logURL.path, contents: nil) else {
            throw FakeNeptuneError("cannot create the server log \(logURL.path)")
        }
        let log = try FileHandle(forWritingTo: logURL)
        defer { try? log.close() }

        var childEnvironment = environment
        childEnvironment["MOTO_ACCOUNT_ID"] = nil  // would pin every request to one account
        childEnvironment["PYTHONUNBUFFERED"] = "1"
        childEnvironment["PYTHONDONTWRITEBYTECODE"] = "1"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            environment["FAKE_NEPTUNE_PYTHON"] ?? "python3", script.path,
            "--host", "127.0.0.1", "--port", String(port),
            "--latency-ms", String(latencyMs),
            "--parent-pid", String(ProcessInfo.processInfo.processIdentifier),
        ]
        process.environment = childEnvironment
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = log
        try process.run()

        guard let endpoint = URL(string: "http://127.0.0.1:\(port)") else {
            throw FakeNeptuneError("bad endpoint for port \(port)")
        }
        let server = FakeNeptuneServer(endpoint: endpoint, process: process, logURL: logURL)
        do {
            try await server.waitUntilReady(within: .seconds(60))
        } catch {
            await server.stop()
            throw error
        }
        return server
    }

    private func waitUntilReady(within timeout: Duration) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        let probe = HTTPRequest(method: "GET", url: endpoint.appendingPathComponent("moto-api/"), timeout: .seconds(2))
        while clock.now < deadline {
            if !process.isRunning {
                let status = process.terminationStatus
                throw FakeNeptuneError(
                    "fake_neptune exited with status \(status) before it was ready:\n\(log())",
                    isPortInUse: status == 3
                )
            }
            if let response = try? await TestTransport.shared.send(probe), response.status == 200 {
                return
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw FakeNeptuneError("fake_neptune did not answer GET /moto-api/ within \(timeout):\n\(log())")
    }

    /// `Tests/FakeNeptune/fake_neptune.py`, found from this source file, never the working directory.
    private static func scriptURL(filePath: String = #filePath) throws -> URL {
        let url = URL(fileURLWithPath: filePath)
            .deletingLastPathComponent()  // TestSupport
            .deletingLastPathComponent()  // Tests
            .appendingPathComponent("FakeNeptune/fake_neptune.py")
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw FakeNeptuneError("fake_neptune.py not found at \(url.path)")
        }
        return url
    }

    private static func waitForExit(of process: Process, within timeout: Duration) async {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while process.isRunning && clock.now < deadline {
            if (try? await Task.sleep(for: .milliseconds(20))) == nil {
                usleep(20_000)  // cancelled: still wait, without spinning
            }
        }
    }

    private static func tail(of url: URL, maxBytes: Int) -> String {
        guard let data = FileManager.default.contents(atPath: url.path) else { return "" }
        return String(decoding: data.suffix(maxBytes), as: UTF8.self)
    }
}

/// Starts a ``FakeNeptuneServer``, runs `body` with it, and always stops it.
public func withFakeNeptune<Result>(
    latencyMs: Int = 0,
    isolation: isolated (any Actor)? = #isolation,
    _ body: (FakeNeptuneServer) async throws -> Result
) async throws -> Result {
    let server = try await FakeNeptuneServer.start(latencyMs: latencyMs)
    do {
        let result = try await body(server)
        await server.stop()
        return result
    } catch {
        await server.stop()
        throw error
    }
}

/// What went wrong with the fake server, with its stderr when that helps.
public struct FakeNeptuneError: Error, CustomStringConvertible, Sendable {
    public let description: String
    let isPortInUse: Bool

    init(_ description: String, isPortInUse: Bool = false) {
        self.description = description
        self.isPortInUse = isPortInUse
    }
}
