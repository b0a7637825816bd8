import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NeptuneAPI
@testable import SnapcopyCLI
import SnapcopyCore
import Testing
import TestSupport

// Shared helpers of ApplyEndToEndTests and CrashTests: the built binary run against fake_neptune.

/// One fake_neptune server per apply suite (starting one takes about 2 s); every test resets it.
/// The Python processes exit by themselves when the test process ends.
enum ApplyServers {
    private static let endToEndServer = Task { try await FakeNeptuneServer.start() }
    private static let crashServer = Task { try await FakeNeptuneServer.start() }
    private static let longRunningServer = Task { try await FakeNeptuneServer.start() }
    private static let operationsServer = Task { try await FakeNeptuneServer.start() }
    private static let driftServer = Task { try await FakeNeptuneServer.start() }
    private static let gitOpsServer = Task { try await FakeNeptuneServer.start() }
    private static let rulesServer = Task { try await FakeNeptuneServer.start() }
    private static let corpusServer = Task { try await FakeNeptuneServer.start() }
    private static let reliabilityServer = Task { try await FakeNeptuneServer.start() }
    private static let leastPrivilegeServer = Task { try await FakeNeptuneServer.start() }
    private static let canaryServer = Task { try await FakeNeptuneServer.start() }

    /// The end-to-end suite's server, with state, faults and counters reset.
    static func endToEnd() async throws -> FakeNeptuneServer {
        try await fresh(endToEndServer)
    }

    /// The crash suite's server, with state, faults and counters reset.
    static func crash() async throws -> FakeNeptuneServer {
        try await fresh(crashServer)
    }

    /// The refresh/capture/result-document suite's server, with state, faults and counters reset.
    static func operations() async throws -> FakeNeptuneServer {
        try await fresh(operationsServer)
    }

    /// The rules suite's server, with state, faults and counters reset.
    static func rules() async throws -> FakeNeptuneServer {
        try await fresh(rulesServer)
    }

    /// The bad-input corpus suite's server, with state, faults and counters reset.
    static func corpus() async throws -> FakeNeptuneServer {
        try await fresh(corpusServer)
    }

    /// The concurrency and fault-storm suite's server, with state, faults and counters reset.
    static func reliability() async throws -> FakeNeptuneServer {
        try await fresh(reliabilityServer)
    }

    /// The least-privilege suite's server, with state, faults and counters reset (and checks off).
    static func leastPrivilege() async throws -> FakeNeptuneServer {
        try await fresh(leastPrivilegeServer)
    }

    /// The secrets canary suite's server, with state, faults and counters reset.
    static func canary() async throws -> FakeNeptuneServer {
        try await fresh(canaryServer)
    }

    /// The GitOps example suite's server, with state, faults and counters reset.
    static func gitOps() async throws -> FakeNeptuneServer {
        try await fresh(gitOpsServer)
    }

    /// The drift suite's server, with state, faults and counters reset.
    static func drift() async throws -> FakeNeptuneServer {
        try await fresh(driftServer)
    }

    /// The long-running apply suite's server, with state, faults and counters reset.
    static func longRunning() async throws -> FakeNeptuneServer {
        try await fresh(longRunningServer)
    }

    private static func fresh(_ task: Task<FakeNeptuneServer, any Error>) async throws -> FakeNeptuneServer {
        let server = try await task.value
        try await server.reset()
        return server
    }
}

/// The message a skipped apply suite shows.
enum ApplyMoto {
    static var isAvailable: Bool { MotoAvailability.isAvailable }
    static let skipMessage: Comment = "python3 with moto is not available: skipping the apply end-to-end tests"
}

// MARK: - Manifests

/// A whole manifest file (version 1), encoded with the manifest's own key names.
struct ApplyManifest: Encodable, Sendable {
    /// One entry; nil fields are left out.
    struct Entry: Encodable, Sendable {
        var source: String
        var target: String
        var region: String? = "us-east-1"
        var kmsKeyId: String?
        var copyTags: Bool?
        var tags: [String: String]?
        var deletionPolicy: String?
    }

    /// The file's defaults.
    struct Defaults: Encodable, Sendable {
        var tags: [String: String]?
        var ignoreTagKeys: [String]?
        var deletionPolicy: String?
    }

    var version = 1
    var defaults: Defaults?
    var copies: [Entry]

    init(_ copies: [Entry], defaults: Defaults? = nil) {
        self.copies = copies
        self.defaults = defaults
    }

    func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self) + "\n"
    }
}

// MARK: - The workspace

/// A temporary directory holding manifests and the lock file, where the built `snapcopy` runs
/// against a fake server with credentials and endpoint given only in the child's environment
/// and arguments.
struct ApplyWorkspace: Sendable {
    let server: FakeNeptuneServer
    let directory: TemporaryDirectory
    let binary: URL
    /// `--poll-interval` for every apply.
    var pollInterval = "200ms"

    init(server: FakeNeptuneServer, directory: TemporaryDirectory) throws {
        self.server = server
        self.directory = directory
        self.binary = try snapcopyBinary()
    }

    var lockPath: String { directory.appending("snapcopy.lock").path }

    /// `arn:aws:rds:REGION:ACCOUNT:cluster-snapshot:ID` in moto's default account, where unknown keys act.
    static func snapshotARN(_ id: String, region: String = "us-east-1") -> String {
        "arn:aws:rds:\(region):\(FakeNeptuneServer.defaultAccount):cluster-snapshot:\(id)"
    }

    /// The child's whole environment: the canary's fake keys and session token, a region, and a HOME without AWS config files.
    var environment: [String: String] {
        [
            "AWS_ACCESS_KEY_ID": SecretCanary.accessKeyID,
            "AWS_SECRET_ACCESS_KEY": SecretCanary.secretAccessKey,
            "AWS_SESSION_TOKEN": SecretCanary.sessionToken,
            "AWS_REGION": "us-east-1",
            "HOME": directory.url.path,
            "AWS_CONFIG_FILE": directory.appending("no-aws-config").path,
            "AWS_SHARED_CREDENTIALS_FILE": directory.appending("no-aws-credentials").path,
            "PATH": "/usr/bin:/bin",
            "NO_COLOR": "1",
        ]
    }

    /// Options every command here takes: this lock file and the fake's endpoint.
    var commonOptions: [String] {
        ["--lock-file", lockPath, "--endpoint-url", server.endpoint.absoluteString]
    }

    /// Writes `manifest` to `name` in the workspace and returns its path.
    @discardableResult
    func write(_ manifest: ApplyManifest, to name: String = "copies.json") throws -> String {
        try directory.write(try manifest.json(), to: name).path
    }

    /// The arguments of `snapcopy apply PATHS --auto-approve` with the common options and `extra`.
    func applyArguments(_ paths: [String] = ["copies.json"], _ extra: [String] = []) -> [String] {
        ["apply"] + paths.map { directory.appending($0).path } + ["--auto-approve", "--poll-interval", pollInterval]
            + commonOptions + extra
    }

    /// Runs `snapcopy ARGUMENTS` to completion.
    func run(_ arguments: [String], timeout: Duration = .seconds(90)) async throws -> ProcessResult {
        try await runProcess(executable: binary, arguments: arguments, environment: environment,
                             currentDirectory: directory.url, timeout: timeout)
    }

    /// Runs `snapcopy apply PATHS --auto-approve ...` to completion.
    func apply(_ paths: [String] = ["copies.json"], _ extra: [String] = [], timeout: Duration = .seconds(90)) async throws -> ProcessResult {
        try await run(applyArguments(paths, extra), timeout: timeout)
    }

    /// Starts `snapcopy ARGUMENTS` without waiting; output goes to files in the workspace.
    func launch(_ arguments: [String], name: String) throws -> BackgroundRun {
        try BackgroundRun(executable: binary, arguments: arguments, environment: environment,
                            directory: directory, name: name)
    }

    /// The lock file as snapcopy reads it (with a journal an apply left beside it replayed), nil when there is none.
    func lockFile() throws -> LockFile? {
        try DiskLockStore(path: lockPath).read()
    }

    /// The lock file alone, as committed (no journal replayed), nil when there is none.
    func lockFileOnDisk() throws -> LockFile? {
        guard let bytes = lockBytes() else { return nil }
        return try LockFile.decode(Array(bytes), file: lockPath)
    }

    /// Whether a journal file is beside the lock file (an apply is running, or one stopped before it finished).
    var hasJournal: Bool {
        FileManager.default.fileExists(atPath: JournalFile.path(besideLockFile: lockPath))
    }

    /// The lock file's bytes, nil when there is none.
    func lockBytes() -> Data? {
        FileManager.default.contents(atPath: lockPath)
    }

    /// The live view of the fake, with the same kind of keys the child uses.
    var live: LiveView { LiveView(endpoint: server.endpoint) }
}

extension ApplyWorkspace {
    /// Reads the fake's state through the real API client (these calls show up in the fake's stats as
    /// reads only: describes and tag listings).
    struct LiveView: Sendable {
        let endpoint: URL
        private static let transport = TestTransport.shared

        func client(_ region: String) -> NeptuneClient {
            let credentials = Credentials(accessKeyID: "AKIAFAKEAPPLYTESTS02", secretAccessKey: "fake-secret-for-the-checks")
            return NeptuneClient(region: region, endpoint: endpoint, credentials: StaticCredentialProvider(credentials),
                                 configuration: ClientConfiguration(transport: Self.transport))
        }

        /// The snapshot `id` in `region`, nil when it does not exist.
        func snapshot(_ id: String, region: String = "us-east-1") async throws -> DBClusterSnapshot? {
            try await client(region).describeDBClusterSnapshot(identifier: id)
        }

        /// The live tags of `arn`, as a dictionary.
        func tags(of arn: String, region: String = "us-east-1") async throws -> [String: String] {
            let list = try await client(region).listTagsForResource(arn: arn)
            return Dictionary(list.map { ($0.key, $0.value) }, uniquingKeysWith: { _, last in last })
        }

        /// Every snapshot identifier in `region`.
        func identifiers(region: String = "us-east-1") async throws -> Set<String> {
            Set(try await client(region).describeDBClusterSnapshots(.init(snapshotType: "manual")).compactMap(\.identifier))
        }
    }
}

extension FakeStats {
    /// The API calls that change anything: copies, deletions and tag writes.
    static let writeActions = ["CopyDBClusterSnapshot", "DeleteDBClusterSnapshot", "AddTagsToResource", "RemoveTagsFromResource"]

    /// The write calls received, by action (actions with none left out).
    var writeCalls: [String: Int] {
        callsByAction.filter { Self.writeActions.contains($0.key) && $0.value > 0 }
    }
}

extension FakeNeptuneServer {
    /// Seeds a Neptune cluster `graph` in `region` with manual snapshots `ids`, all available.
    @discardableResult
    func seedSources(
        _ ids: [String], region: String = "us-east-1", tags: [String: String] = [:],
        encrypted: Bool = false, kmsAlias: String? = nil
    ) async throws -> SeedResult {
        let keys = kmsAlias.map { [Seed.KMSKey(alias: $0)] } ?? []
        return try await seed(Seed(
            region: region,
            clusters: [.init(id: "graph", isStorageEncrypted: encrypted, kmsKeyID: kmsAlias)],
            snapshots: ids.map { .init(id: $0, cluster: "graph", type: .manual, tags: tags) },
            kmsKeys: keys))
    }
}

// MARK: - A process run in the background

extension ApplyWorkspace {
    /// A `snapcopy` started without waiting for it, so a test can race it or kill it. Its output goes
    /// to files, so nothing has to drain pipes.
    final class BackgroundRun: @unchecked Sendable {
        private let process = Process()
        private let stdoutURL: URL
        private let stderrURL: URL
        private let arguments: [String]
        private let environment: [String: String]
        private let directory: URL
        /// The workspace before the run, for the secrets canary.
        private let filesBefore: SecretCanary.FileSnapshot
        let startedAt = ContinuousClock.now

        init(executable: URL, arguments: [String], environment: [String: String], directory: TemporaryDirectory, name: String) throws {
            self.arguments = arguments
            self.environment = environment
            self.directory = directory.url
            filesBefore = SecretCanary.FileSnapshot(of: directory.url, arguments: arguments)
            stdoutURL = directory.appending("\(name).stdout")
            stderrURL = directory.appending("\(name).stderr")
            FileManager.default.createFile(atPath: stdoutURL.path, contents: nil)
            FileManager.default.createFile(atPath: stderrURL.path, contents: nil)
            let output = try FileHandle(forWritingTo: stdoutURL)
            let errors = try FileHandle(forWritingTo: stderrURL)
            defer {
                try? output.close()
                try? errors.close()
            }
            process.executableURL = executable
            process.arguments = arguments
            process.environment = environment
            process.currentDirectoryURL = directory.url
            process.standardInput = FileHandle.nullDevice
            process.standardOutput = output
            process.standardError = errors
            try process.run()
        }

        var pid: Int32 { process.processIdentifier }
        var isRunning: Bool { process.isRunning }

        /// Sends `signal` (SIGINT for Ctrl-C) to the process.
        func send(_ signal: Int32) {
            if process.isRunning { kill(process.processIdentifier, signal) }
        }

        /// Sends SIGKILL (a crash at an arbitrary instant).
        func killNow() {
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }

        /// Waits for the process to end, killing it past `timeout`; returns its exit code
        /// (128 + signal when a signal ended it) and output. A secret in its output or in a file it
        /// wrote (the secrets canary) is recorded as a test failure.
        func wait(timeout: Duration = .seconds(90)) async -> ProcessResult {
            let deadline = ContinuousClock.now + timeout
            while process.isRunning && ContinuousClock.now < deadline {
                try? await Task.sleep(for: .milliseconds(10))
            }
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                while process.isRunning { try? await Task.sleep(for: .milliseconds(10)) }
            }
            let status = process.terminationStatus
            let code = process.terminationReason == .uncaughtSignal ? 128 + status : status
            let result = ProcessResult(exitCode: code, stdout: Self.read(stdoutURL), stderr: Self.read(stderrURL))
            let changed = SecretCanary.FileSnapshot(of: directory, arguments: arguments).changed(since: filesBefore)
            let leaks = SecretCanary.leaks(stdout: result.stdout, stderr: result.stderr, filesChanged: changed, environment: environment)
            if !leaks.isEmpty { Issue.record("\(SecretLeakError(arguments: arguments, leaks: leaks))") }
            return result
        }

        private static func read(_ url: URL) -> String {
            String(decoding: FileManager.default.contents(atPath: url.path) ?? Data(), as: UTF8.self)
        }
    }

    /// Polls `condition` every 20 ms until it holds or `timeout` passes; returns whether it held.
    static func eventually(within timeout: Duration, _ condition: () throws -> Bool) async rethrows -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try condition() { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return try condition()
    }
}
