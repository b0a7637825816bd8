// Measures `snapcopy apply` of N copies against fake_neptune (moto) with 20 ms added to every call:
// wall time, snapcopy's CPU time, and API calls by action from the fake's counters, next to the
// minimum the job needs and to a bare client making only the N copy calls at the same concurrency.
// Prints figures; never fails on a timing.
//
//   swift build -c release --product snapcopy && swift run -c release ApplyBenchmark [N]
//
// The minimum, for a first apply of N copies without copyTags into targets that do not exist yet:
//   CopyDBClusterSnapshot      N: one per copy; nothing else creates it.
//   DescribeDBClusterSnapshots the sum over the scopes planned (every destination region and every
//                              source region) of ceil(max(1, snapshots listed there) / 100) pages (100
//                              is the API's largest page); nothing more for waiting, since these
//                              copies are available at once (copyingSeconds 0).
//   ListTagsForResource        one per existing target and per copyTags source: 0 here.
// A no-op apply right after needs the same listings (now with the copies) plus one tag look-up per
// recorded target, because describe calls carry no tags; it needs no write call.
import Foundation
import NeptuneAPI
import TestSupport

let count = CommandLine.arguments.dropFirst().first.flatMap(Int.init) ?? 1_000
let parallelism = 16
let pageSize = 100
let account = FakeNeptuneServer.defaultAccount
let binary = try snapcopyBinary()

#if os(Linux)
let RUSAGE_CHILDREN_VALUE = __rusage_who_t(RUSAGE_CHILDREN.rawValue)
#else
let RUSAGE_CHILDREN_VALUE = RUSAGE_CHILDREN
#endif

/// CPU seconds (user + system) of the children that have ended and been waited for.
func childrenCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_CHILDREN_VALUE, &usage)
    return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
        + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
}

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

func pages(_ items: Int) -> Int { max(1, (items + pageSize - 1) / pageSize) }

/// One measured setting: where the copies go.
struct Scenario {
    var name: String
    var destination: String
    var isCrossRegion: Bool { destination != "us-east-1" }

    func source(_ index: Int) -> String {
        isCrossRegion ? "arn:aws:rds:us-east-1:\(account):cluster-snapshot:bench-src-\(index)" : "bench-src-\(index)"
    }

    func manifest() -> String {
        let copies = (0..<count).map { i in
            "{\"source\": \"\(source(i))\", \"target\": \"bench-copy-\(i)\", \"tags\": {\"index\": \"\(i)\"}}"
        }
        return "{\"version\": 1, \"defaults\": {\"region\": \"\(destination)\", \"tags\": {\"managed-by\": \"snapcopy\"}}, \"copies\": [\n"
            + copies.joined(separator: ",\n") + "\n]}\n"
    }
}

func printCalls(_ stats: FakeStats, minimum: [String: Int]) {
    let actions = Set(stats.callsByAction.keys).union(minimum.keys).sorted()
    print("    action                         calls   minimum")
    for action in actions {
        print("    " + action.padding(toLength: 30, withPad: " ", startingAt: 0)
              + String(format: "%6d    %6d", stats.callsByAction[action, default: 0], minimum[action, default: 0]))
    }
    let total = stats.callsByAction.values.reduce(0, +)
    let least = minimum.values.reduce(0, +)
    print(String(format: "    total                          %6d    %6d   (%.2f× the minimum)", total, least, Double(total) / Double(max(1, least))))
}

/// Fresh moto state with N available source snapshots in us-east-1.
func seedSources(_ server: FakeNeptuneServer) async throws {
    try await server.reset()
    for chunk in stride(from: 0, to: count, by: 250) {
        let ids = (chunk..<min(count, chunk + 250)).map { "bench-src-\($0)" }
        try await server.seed(Seed(region: "us-east-1", clusters: [.init(id: "graph")],
                                   snapshots: ids.map { .init(id: $0, cluster: "graph", type: .manual, tags: ["team": "graph"]) }))
    }
    try await server.resetStats()
}

/// The floor: only the N copy calls, from one bare client at snapcopy's concurrency.
func bareCopies(_ server: FakeNeptuneServer, _ scenario: Scenario) async throws -> Duration {
    let configuration = ClientConfiguration(transport: TestTransport.shared,
                                            limiter: ConcurrencyLimiter(parallelism: parallelism))
    let client = NeptuneClient(
        region: scenario.destination, endpoint: server.endpoint,
        credentials: StaticCredentialProvider(Credentials(accessKeyID: "AKIABENCHMARK0000002", secretAccessKey: "benchmark-secret-key")),
        configuration: configuration)
    let started = ContinuousClock.now
    try await withThrowingTaskGroup(of: Void.self) { group in
        for i in 0..<count {
            if i >= parallelism { try await group.next() }
            group.addTask {
                _ = try await client.copyDBClusterSnapshot(CopyDBClusterSnapshotRequest(
                    sourceIdentifier: scenario.source(i), targetIdentifier: "bench-copy-\(i)",
                    tags: [Tag(key: "index", value: "\(i)")], sourceRegion: scenario.isCrossRegion ? "us-east-1" : nil))
            }
        }
        try await group.waitForAll()
    }
    return ContinuousClock.now - started
}

// moto refuses copies once a region holds MOTO_RDS_SNAPSHOT_LIMIT (default 1,000) snapshots.
var serverEnvironment = ProcessInfo.processInfo.environment
serverEnvironment["MOTO_RDS_SNAPSHOT_LIMIT"] = String(max(10_000, 4 * count))
let server = try await FakeNeptuneServer.start(latencyMs: 20, environment: serverEnvironment)
print("ApplyBenchmark: \(count) copies per scenario; fake_neptune adds 20 ms to every call; --parallelism \(parallelism) (default),")
print("--max-inflight-copies 100 (the largest accepted), --poll-interval 1s; copies are available at once (copyingSeconds 0).\n")

for scenario in [Scenario(name: "same-region", destination: "us-east-1"), Scenario(name: "cross-region", destination: "us-west-2")] {
    print("\(scenario.name) (us-east-1 → \(scenario.destination)):")
    try await seedSources(server)
    let directory = try TemporaryDirectory(prefix: "apply-benchmark")
    defer { try? directory.remove() }
    let manifestPath = try directory.write(scenario.manifest(), to: "copies.json").path
    let environment = [
        "AWS_ACCESS_KEY_ID": "AKIABENCHMARK0000001", "AWS_SECRET_ACCESS_KEY": "benchmark-secret-key",
        "AWS_REGION": "us-east-1", "HOME": directory.url.path, "PATH": "/usr/bin:/bin",
    ]
    let arguments = [
        "apply", manifestPath, "--auto-approve", "--max-inflight-copies", "100", "--poll-interval", "1s",
        "--lock-file", directory.appending("snapcopy.lock").path, "--endpoint-url", server.endpoint.absoluteString,
    ]
    // Scopes listed: us-east-1 (the sources, and the copies when same-region), plus the destination.
    let listingsFirst = scenario.isCrossRegion ? pages(count) + pages(0) : pages(count)
    let listingsAgain = scenario.isCrossRegion ? pages(count) + pages(count) : pages(2 * count)

    for (run, label) in ["first apply", "second apply (no-op)"].enumerated() {
        try await server.resetStats()
        let cpuBefore = childrenCPUSeconds()
        let started = ContinuousClock.now
        let result = try await runProcess(executable: binary, arguments: arguments, environment: environment, timeout: .seconds(1_800))
        let elapsed = ContinuousClock.now - started
        let cpu = childrenCPUSeconds() - cpuBefore
        let stats = try await server.stats()
        print(String(format: "  snapcopy, %@: exit %d, wall %.1f s, snapcopy CPU %.1f s", label, result.exitCode, seconds(elapsed), cpu))
        if result.exitCode != 0 { print(result.stdout.suffix(1_500), result.stderr.suffix(1_500)) }
        let minimum = run == 0
            ? ["CopyDBClusterSnapshot": count, "DescribeDBClusterSnapshots": listingsFirst]
            : ["DescribeDBClusterSnapshots": listingsAgain, "ListTagsForResource": count]
        printCalls(stats, minimum: minimum)
        if run == 0 {
            let copies = stats.copiesCreatedByTarget.values
            print("    copies made: \(copies.count) targets, at most \(copies.max() ?? 0) of one target")
        }
    }
    // Last, so this process's own client is idle while snapcopy runs.
    try await seedSources(server)
    let floor = try await bareCopies(server, scenario)
    print(String(format: "  a bare NeptuneClient making only the %d copy calls, %d at a time: wall %.1f s\n", count, parallelism, seconds(floor)))
}
await server.stop()
