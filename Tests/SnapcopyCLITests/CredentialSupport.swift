import Foundation
import NeptuneAPI
import SnapcopyCore
import Testing
import TestSupport

// Helpers of the credential, proxy, TLS and endpoint suites: the built binary with an environment
// that holds no keys, against fake_neptune and the small fakes of fake_edges.py.

/// One fake_neptune server per suite (suites run in parallel; tests within one are serialized);
/// every test resets it.
enum CredentialServers {
    enum Suite: CaseIterable { case sources, refresh, network, interrupt }

    private static let servers: [Suite: Task<FakeNeptuneServer, any Error>] = Dictionary(
        uniqueKeysWithValues: Suite.allCases.map { suite in (suite, Task { try await FakeNeptuneServer.start() }) })

    /// The suite's server with state, faults and counters reset.
    static func fresh(_ suite: Suite) async throws -> FakeNeptuneServer {
        guard let task = servers[suite] else { fatalError("no server for \(suite)") }
        let server = try await task.value
        try await server.reset()
        return server
    }
}

/// A temporary HOME with `.aws/` files, manifests and a lock file, where `snapcopy` runs with
/// exactly ``environment`` (no access keys unless a test adds them; IMDS off unless a test
/// turns it on).
struct CredentialWorkspace: Sendable {
    let server: FakeNeptuneServer
    let directory: TemporaryDirectory
    let binary: URL
    var environment: [String: String]

    init(server: FakeNeptuneServer, directory: TemporaryDirectory) throws {
        self.server = server
        self.directory = directory
        binary = try snapcopyBinary()
        environment = [
            "PATH": "/usr/bin:/bin",
            "HOME": directory.url.path,
            "AWS_REGION": "us-east-1",
            "AWS_EC2_METADATA_DISABLED": "true",
            "NO_COLOR": "1",
        ]
    }

    /// Runs `body` with a reset server and a fresh workspace.
    static func with(_ suite: CredentialServers.Suite, _ body: (inout CredentialWorkspace, FakeNeptuneServer) async throws -> Void) async throws {
        let server = try await CredentialServers.fresh(suite)
        try await withTemporaryDirectory(prefix: "snapcopy-creds") { directory in
            var workspace = try CredentialWorkspace(server: server, directory: directory)
            try await body(&workspace, server)
        }
    }

    var lockPath: String { directory.appending("snapcopy.lock").path }

    /// Writes `~/.aws/config`.
    func writeConfig(_ text: String) throws {
        _ = try directory.write(text, to: ".aws/config")
    }

    /// Writes the token `aws sso login` caches, under `~/.aws/sso/cache/NAME.json`.
    func writeSSOToken(_ token: String, cacheKey: String, expiresAt: Date) throws {
        let json = """
        {"startUrl": "https://corp.awsapps.com/start", "region": "eu-west-1", "accessToken": "\(token)", "expiresAt": "\(AWSTimestamp.format(expiresAt))"}
        """
        _ = try directory.write(json, to: ".aws/sso/cache/\(cacheKey).json")
    }

    /// Seeds `src-a` in us-east-1 and writes a manifest copying it (tags included, so a plan makes
    /// two calls: a listing and the source's tags) to `copy-a` in `region`.
    func writeWorld(region: String = "us-east-1", roleARN: String? = nil) async throws -> String {
        _ = try await server.seedSources(["src-a"])
        var entry: [String: Any] = ["source": "src-a", "target": "copy-a", "region": region, "copyTags": true]
        if let roleARN { entry["roleArn"] = roleARN }
        let manifest = try JSONSerialization.data(withJSONObject: ["version": 1, "copies": [entry]], options: [.sortedKeys])
        return try directory.write(String(decoding: manifest, as: UTF8.self), to: "copies.json").path
    }

    /// `snapcopy plan copies.json` against the fake (unless `endpoint` is false), `extra` appended.
    func plan(_ extra: [String] = [], endpoint: Bool = true, timeout: Duration = .seconds(60)) async throws -> ProcessResult {
        let endpointOptions = endpoint ? ["--endpoint-url", server.endpoint.absoluteString] : []
        return try await run(["plan", directory.appending("copies.json").path, "--lock-file", lockPath] + endpointOptions + extra, timeout: timeout)
    }

    /// `snapcopy apply copies.json --auto-approve` against the fake, waiting for the copies.
    func apply(_ extra: [String] = [], timeout: Duration = .seconds(90)) async throws -> ProcessResult {
        try await run(["apply", directory.appending("copies.json").path, "--auto-approve", "--poll-interval", "500ms",
                       "--lock-file", lockPath, "--endpoint-url", server.endpoint.absoluteString] + extra, timeout: timeout)
    }

    func run(_ arguments: [String], timeout: Duration = .seconds(60)) async throws -> ProcessResult {
        try await runProcess(executable: binary, arguments: arguments, environment: environment,
                             currentDirectory: directory.url, timeout: timeout)
    }
}

extension ProcessResult {
    /// Both streams, for messages and secret checks.
    var output: String { stdout + "\n" + stderr }
}

extension FakeStats {
    /// The access keys fake_neptune saw whose id starts with `prefix`.
    func keys(prefix: String) -> [String: KeyUse] {
        accessKeys.filter { $0.key.hasPrefix(prefix) }
    }
}

/// The SHA-1 hex names botocore gives the SSO token cache files (`hashlib.sha1(x).hexdigest()`).
enum SSOCacheKey {
    /// Of the session name `corp` (the `sso_session` form).
    static let corpSession = "ee0bfd2552fbd840c02cc48b6e823320543c450f"
    /// Of the start URL `https://legacy.awsapps.com/start` (the legacy form).
    static let legacyStartURL = "79e435d7a515078e81c9dffc35f38d5687ebd3a7"
}
