// Measures `plan` against the live API with 20 ms per call: N source snapshots in us-east-1,
// N/2 existing copies in us-west-2, manifests for N cross-region copies with copyTags on.
// The real plan path runs in-process (ManifestLoader from disk, LiveStateLoader over
// NeptuneSnapshotService, Planner), against two back ends:
//   * synthetic: an in-process transport answering from memory after exactly 20 ms (snapcopy's
//     own cost against the latency floor);
//   * fake_neptune: moto over real HTTP with --latency-ms 20 (plus the built `snapcopy plan`
//     binary for N <= 2,000; moto serves one call at a time, so it bounds the wall time).
// Prints figures; never fails on a timing.
//
//   swift build -c release --product LivePlanBenchmark --product snapcopy
//   .build/release/LivePlanBenchmark [N ...] [--no-moto]        (default: 1000 10000)
import Foundation
import NeptuneAPI
import SnapcopyCLI
import SnapcopyCore
import TestSupport

let sizes = CommandLine.arguments.dropFirst().compactMap(Int.init).nonEmpty ?? [1_000, 10_000]
let useMoto = !CommandLine.arguments.contains("--no-moto")
let parallelism = 16
let latencyMs = 20
let pageSize = 100
let account = FakeNeptuneServer.defaultAccount
let seedBatch = 500
let clock = ContinuousClock()

/// Prints a line at once (unbuffered), so progress shows when the output goes to a file.
func emit(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

extension Array {
    var nonEmpty: Self? { isEmpty ? nil : self }
}

extension Duration {
    var milliseconds: Double { Double(components.seconds) * 1000 + Double(components.attoseconds) / 1e15 }
}

func format(_ ms: Double) -> String {
    ms >= 10_000 ? String(format: "%.1f s", ms / 1000) : String(format: "%.0f ms", ms)
}

/// Writes manifests of 500 copies each: `src-i` (us-east-1) → `src-i-dr` (us-west-2).
func writeManifests(count: Int, to directory: TemporaryDirectory) throws -> [String] {
    var paths: [String] = []
    for file in 0..<max(1, (count + 499) / 500) {
        let range = (file * 500)..<min(count, (file + 1) * 500)
        let copies = range.map { i in
            "{\"source\": \"arn:aws:rds:us-east-1:\(account):cluster-snapshot:src-\(i)\", \"target\": \"src-\(i)-dr\", \"tags\": {\"env\": \"prod\"}}"
        }
        let text = "{\"version\": 1, \"defaults\": {\"region\": \"us-west-2\", \"copyTags\": true, \"tags\": {\"managed-by\": \"snapcopy\"}}, \"copies\": [\n\(copies.joined(separator: ",\n"))\n]}\n"
        paths.append(try directory.write(text, to: "manifests/m\(String(format: "%03d", file)).json").path)
    }
    return paths
}

/// N sources in us-east-1; for every even i an existing copy in us-west-2 owned by snapcopy.
func seed(_ server: FakeNeptuneServer, count: Int) async throws {
    let created = Date(timeIntervalSince1970: 1_795_000_000)
    try await server.seed(Seed(region: "us-east-1", clusters: [.init(id: "graph")]))
    try await server.seed(Seed(region: "us-west-2", clusters: [.init(id: "graph-west")]))
    for start in stride(from: 0, to: count, by: seedBatch) {
        let range = start..<min(count, start + seedBatch)
        try await server.seed(Seed(region: "us-east-1", snapshots: range.map {
            .init(id: "src-\($0)", cluster: "graph", type: .manual, tags: ["owner": "graph"], createdAt: created)
        }))
        let targets = range.filter { $0 % 2 == 0 }
        try await server.seed(Seed(region: "us-west-2", snapshots: targets.map {
            .init(id: "src-\($0)-dr", cluster: "graph-west", type: .manual, tags: [
                "snapcopy:source": "arn:aws:rds:us-east-1:\(account):cluster-snapshot:src-\($0)",
                "managed-by": "snapcopy", "env": "prod", "owner": "graph",
            ], createdAt: created)
        }))
    }
}

struct Figures {
    var wall: Duration
    /// Calls by region, then action.
    var calls: [String: [String: Int]]

    init(wall: Duration, calls: [String: [String: Int]]) {
        self.wall = wall
        self.calls = calls
    }

    init(wall: Duration, stats: FakeStats) {
        self.init(wall: wall, calls: stats.callsByRegionAndAction)
    }

    func calls(_ action: String) -> Int { calls.values.map { $0[action, default: 0] }.reduce(0, +) }
    var total: Int { calls.values.flatMap(\.values).reduce(0, +) }
}

/// The plan path in-process: manifests from disk, live state through the Neptune client, the planner.
func planInProcess(_ server: FakeNeptuneServer, manifests paths: [String]) async throws -> (Figures, Plan) {
    try await server.resetStats()
    let configuration = NeptuneSnapshotService.makeClientConfiguration(transport: TestTransport.shared, parallelism: parallelism)
    let (wall, plan) = try await planInProcess(configuration: configuration, endpoint: server.endpoint, manifests: paths)
    return (Figures(wall: wall, stats: try await server.stats()), plan)
}

/// Loads the manifests, describes live state through `configuration`, plans; returns the wall time.
func planInProcess(configuration: ClientConfiguration, endpoint: URL?, manifests paths: [String]) async throws -> (Duration, Plan) {
    let start = clock.now
    let sources = try paths.map { path in
        ManifestSource(path: path, contents: Array(try Data(contentsOf: URL(fileURLWithPath: path))))
    }
    let manifests = ManifestLoader().load(sources)
    guard manifests.isValid else { fatalError("benchmark manifests are invalid: \(manifests.diagnostics.prefix(3))") }
    let factory = NeptuneClientFactory(
        baseCredentials: StaticCredentialProvider(Credentials(accessKeyID: "AKIDEXAMPLEBENCHMARK", secretAccessKey: "benchmark-secret-key")),
        endpoint: endpoint, stsEndpoint: endpoint, stsRegion: "us-east-1", configuration: configuration)
    let loader = LiveStateLoader(service: NeptuneSnapshotService(factory: factory), parallelism: parallelism)
    let live = try await loader.load(copies: manifests.copies, records: [])
    let plan = Planner().plan(desired: manifests, live: live, lock: nil)
    return (start.duration(to: clock.now), plan)
}

/// The same through the built binary, `--format json` to a pipe.
func planWithBinary(_ server: FakeNeptuneServer, manifests directory: URL) async throws -> (Figures, ProcessResult)? {
    guard let binary = try? snapcopyBinary() else { return nil }
    try await server.resetStats()
    let start = clock.now
    let result = try await runProcess(
        executable: binary,
        arguments: ["plan", directory.path, "--endpoint-url", server.endpoint.absoluteString, "--format", "json",
                    "--lock-file", directory.appendingPathComponent("none.lock").path, "--parallelism", String(parallelism)],
        environment: ["PATH": "/usr/bin:/bin", "HOME": directory.path, "AWS_REGION": "us-east-1",
                      "AWS_ACCESS_KEY_ID": "AKIDEXAMPLEBENCHMARK", "AWS_SECRET_ACCESS_KEY": "benchmark-secret-key"],
        timeout: .seconds(1_800))
    return (Figures(wall: start.duration(to: clock.now), stats: try await server.stats()), result)
}

func report(_ label: String, _ figures: Figures) {
    let describes = figures.calls("DescribeDBClusterSnapshots")
    let tags = figures.calls("ListTagsForResource")
    let total = figures.total
    let floor = (Double(describes) + Double(tags) / Double(parallelism)) * Double(latencyMs)
    let perRegion = figures.calls.values.map { $0["DescribeDBClusterSnapshots", default: 0] }.max() ?? 0
    let criticalPath = (Double(perRegion) + Double(tags) / Double(parallelism)) * Double(latencyMs)
    let wall = figures.wall.milliseconds
    emit("  \(label): wall \(format(wall)); API calls \(total) (\(describes) describe pages, \(tags) tag look-ups)")
    emit("    floor (pages + tags/\(parallelism)) × \(latencyMs) ms = \(format(floor)); ratio \(String(format: "%.2f", wall / floor))×"
          + "  [scopes in parallel: \(format(criticalPath)), ratio \(String(format: "%.2f", wall / criticalPath))×]")
}

/// The synthetic back end: the same world in memory, 20 ms per call, no server.
func runSynthetic(count: Int, manifests paths: [String]) async throws {
    var snapshots: [SyntheticNeptune.Snapshot] = []
    for i in 0..<count {
        snapshots.append(.init(region: "us-east-1", identifier: "src-\(i)", tags: [("owner", "graph")]))
        if i % 2 == 0 {
            snapshots.append(.init(region: "us-west-2", identifier: "src-\(i)-dr", tags: [
                ("env", "prod"), ("managed-by", "snapcopy"), ("owner", "graph"),
                ("snapcopy:source", "arn:aws:rds:us-east-1:\(account):cluster-snapshot:src-\(i)"),
            ]))
        }
    }
    let synthetic = SyntheticNeptune(snapshots: snapshots, account: account, latency: .milliseconds(latencyMs), pageSize: pageSize)
    var configuration = NeptuneSnapshotService.makeClientConfiguration(transport: TestTransport.shared, parallelism: parallelism)
    configuration.transport = synthetic
    let (wall, plan) = try await planInProcess(configuration: configuration, endpoint: nil, manifests: paths)
    let calls = synthetic.callsByAction
    // Region split for the critical path: us-east-1 holds `count` snapshots, us-west-2 half.
    let pagesEast = (count + pageSize - 1) / pageSize
    let pagesWest = calls["DescribeDBClusterSnapshots", default: 0] - pagesEast
    let summary = plan.summary
    emit("  plan: \(summary.create) to create, \(summary.adopt) to adopt, \(summary.updateTags) to update, \(summary.problems) problems")
    report("synthetic 20 ms transport, in-process", Figures(wall: wall, calls: [
        "us-east-1": ["DescribeDBClusterSnapshots": pagesEast, "ListTagsForResource": calls["ListTagsForResource", default: 0]],
        "us-west-2": ["DescribeDBClusterSnapshots": pagesWest],
    ]))
}

/// The fake_neptune back end: seeds moto, plans in-process and (for small N) with the binary.
func runMoto(count: Int, directory: TemporaryDirectory, manifests paths: [String]) async throws {
    var environment = ProcessInfo.processInfo.environment
    environment["MOTO_RDS_SNAPSHOT_LIMIT"] = "1000000"  // moto refuses a 1,001st manual snapshot per region by default
    let server = try await FakeNeptuneServer.start(latencyMs: latencyMs, environment: environment)
    let seedStart = clock.now
    try await seed(server, count: count)
    emit("  fake_neptune seeded in \(format(seedStart.duration(to: clock.now).milliseconds))")
    try await server.configure(FakeConfig(pageSize: pageSize))
    let (inProcess, _) = try await planInProcess(server, manifests: paths)
    report("fake_neptune, in-process", inProcess)
    if count <= 2_000 {
        if let (binary, result) = try await planWithBinary(server, manifests: directory.appending("manifests")) {
            if result.exitCode != 0 { emit("  binary failed (exit \(result.exitCode)): \(result.stderr.prefix(500))") }
            report("fake_neptune, snapcopy binary", binary)
        } else {
            emit("  snapcopy binary not found next to this program: build it with --product snapcopy")
        }
        try await server.configure(FakeConfig(latencyMs: 0, pageSize: pageSize))
        let (unloaded, _) = try await planInProcess(server, manifests: paths)
        emit("  fake_neptune with latency 0 (moto's own serialized cost): wall \(format(unloaded.wall.milliseconds))")
    }
    await server.stop()
}

emit("LivePlanBenchmark: parallelism \(parallelism), latency \(latencyMs) ms per call, pages of \(pageSize)")
for count in sizes {
    let directory = try TemporaryDirectory(prefix: "snapcopy-live-bench")
    defer { try? directory.remove() }
    emit("N = \(count): \(count) sources (us-east-1), \(count / 2 + count % 2) existing copies (us-west-2), copyTags on")
    let paths = try writeManifests(count: count, to: directory)
    try await runSynthetic(count: count, manifests: paths)
    if useMoto { try await runMoto(count: count, directory: directory, manifests: paths) }
}
