// CPU time per API call of the `snapcopy` binary, by latency: does waiting on the network cost CPU?
//
// `snapcopy plan` (a release build, as a child process) of N existing cross-region copies against
// fake_neptune (moto) with 0, 50 and 200 ms added to every call; the child's CPU (user + system,
// from getrusage of the reaped child) divided by the API calls fake_neptune counted. moto's own
// CPU is in another process and not counted. Prints figures; never fails on a timing.
//
//   swift build -c release --product snapcopy --product CPUBenchmark
//   .build/release/CPUBenchmark [--copies N] [--runs R] [--latencies 0,50,200] [--binary PATH] [--no-keep-alive]
//
// `--binary` measures another build of snapcopy (e.g. the URLSession one of an older commit) with
// the same harness and workload.
#if canImport(Glibc)
import Glibc
let RUSAGE_CHILDREN_VALUE = __rusage_who_t(RUSAGE_CHILDREN.rawValue)
#elseif canImport(Darwin)
import Darwin
let RUSAGE_CHILDREN_VALUE = RUSAGE_CHILDREN
#endif
import Foundation
import TestSupport

func option(_ name: String) -> String? {
    guard let index = CommandLine.arguments.firstIndex(of: name), index + 1 < CommandLine.arguments.count else { return nil }
    return CommandLine.arguments[index + 1]
}

let copies = option("--copies").flatMap(Int.init) ?? 320
let runs = option("--runs").flatMap(Int.init) ?? 3
let latencies = (option("--latencies") ?? "0,50,200").split(separator: ",").compactMap { Int($0) }
let binary = try option("--binary").map { URL(fileURLWithPath: $0) } ?? snapcopyBinary()
let account = FakeNeptuneServer.defaultAccount

func childrenCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_CHILDREN_VALUE, &usage)
    return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
        + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
}

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

func emit(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

var serverEnvironment = ProcessInfo.processInfo.environment
serverEnvironment["MOTO_RDS_SNAPSHOT_LIMIT"] = "100000"
let keepAlive = !CommandLine.arguments.contains("--no-keep-alive")
let server = try await FakeNeptuneServer.start(environment: serverEnvironment)
// werkzeug (under moto) closes every connection; AWS keeps them open. The front keeps snapcopy's.
let front = keepAlive ? try await FakeEdgeServer.start(.front, arguments: ["--upstream-port", String(server.endpoint.port ?? 0)]) : nil
let endpoint = front?.endpoint ?? server.endpoint
try await server.seed(Seed(region: "us-east-1", clusters: [.init(id: "graph")]))
try await server.seed(Seed(region: "us-west-2", clusters: [.init(id: "graph-west")]))
for start in stride(from: 0, to: copies, by: 250) {
    let range = start..<min(copies, start + 250)
    try await server.seed(Seed(region: "us-east-1", snapshots: range.map { .init(id: "src-\($0)", cluster: "graph", type: .manual) }))
    try await server.seed(Seed(region: "us-west-2", snapshots: range.map {
        .init(id: "src-\($0)-dr", cluster: "graph-west", type: .manual, tags: [
            "snapcopy:source": "arn:aws:rds:us-east-1:\(account):cluster-snapshot:src-\($0)", "env": "prod",
        ])
    }))
}
let directory = try TemporaryDirectory(prefix: "cpu-benchmark")
let entries = (0..<copies).map {
    "{\"source\": \"arn:aws:rds:us-east-1:\(account):cluster-snapshot:src-\($0)\", \"target\": \"src-\($0)-dr\", \"tags\": {\"env\": \"prod\"}}"
}
let manifest = try directory.write("{\"version\": 1, \"defaults\": {\"region\": \"us-west-2\"}, \"copies\": [\n\(entries.joined(separator: ",\n"))\n]}\n", to: "copies.json")
let single = try directory.write("{\"version\": 1, \"defaults\": {\"region\": \"us-west-2\"}, \"copies\": [\n\(entries[0])\n]}\n", to: "one.json")
let environment = [
    "AWS_ACCESS_KEY_ID": "AKIABENCHMARKCPU0001", "AWS_SECRET_ACCESS_KEY": "benchmark-secret-key", "AWS_REGION": "us-east-1",
    "HOME": directory.url.path, "PATH": "/usr/bin:/bin", "AWS_EC2_METADATA_DISABLED": "true",
]
func arguments(_ manifest: URL) -> [String] {
    ["plan", manifest.path, "--lock-file", directory.appending("none.lock").path, "--format", "json",
     "--endpoint-url", endpoint.absoluteString]
}

/// Median wall and CPU of `runs` plans of `manifest`, and the API calls one plan makes.
func measure(_ manifest: URL) async throws -> (wall: Double, cpu: Double, calls: Int) {
    var walls: [Double] = []
    var cpus: [Double] = []
    var calls = 0
    for _ in 0..<runs {
        try await server.resetStats()
        let cpuBefore = childrenCPUSeconds()
        let started = ContinuousClock.now
        let result = try await runProcess(executable: binary, arguments: arguments(manifest), environment: environment, timeout: .seconds(900))
        walls.append(seconds(ContinuousClock.now - started))
        cpus.append(childrenCPUSeconds() - cpuBefore)
        guard result.exitCode == 0 || result.exitCode == 2 else {
            emit("snapcopy failed (exit \(result.exitCode)): \(result.stderr.prefix(800))")
            exit(1)
        }
        calls = try await server.stats().callsByAction.values.reduce(0, +)
    }
    return (walls.sorted()[walls.count / 2], cpus.sorted()[cpus.count / 2], calls)
}

// The fixed cost of a run (start-up, reading and validating the manifests), without the network.
var fixedCPUs: [Double] = []
for _ in 0..<runs {
    let before = childrenCPUSeconds()
    _ = try await runProcess(executable: binary, arguments: ["validate", manifest.path], environment: environment, timeout: .seconds(120))
    fixedCPUs.append(childrenCPUSeconds() - before)
}
let fixedCPU = fixedCPUs.sorted()[fixedCPUs.count / 2]

emit("CPUBenchmark: snapcopy plan of \(copies) existing cross-region copies, parallelism 16, \(runs) runs per latency")
emit("binary: \(binary.path); \(keepAlive ? "connections kept alive (a keep-alive front before fake_neptune, as AWS endpoints keep them)" : "a connection per call (werkzeug closes each)")")
emit(String(format: "fixed cost (snapcopy validate of the same manifest): %.3f s CPU", fixedCPU))
emit("Marginal = (CPU of the 320-copy plan - CPU of a 1-copy plan of the same account) / (the difference in calls):")
emit("the cost of one more call, without start-up and the one-time set-up of the HTTP stack.")
emit("latency | API calls | wall (median) | CPU (median) | CPU / calls | ratio to 0 ms | 1-copy plan: calls, CPU | marginal CPU per call | ratio to 0 ms")
var baseline: Double?
var marginalBaseline: Double?
for latency in latencies {
    try await server.configure(FakeConfig(latencyMs: latency, pageSize: 100))
    let full = try await measure(manifest)
    let small = try await measure(single)
    let perCall = full.cpu / Double(max(1, full.calls)) * 1000
    let marginal = max(0, full.cpu - small.cpu) / Double(max(1, full.calls - small.calls)) * 1000
    if baseline == nil { baseline = perCall }
    if marginalBaseline == nil { marginalBaseline = marginal }
    let ratio = baseline.map { perCall / max($0, 1e-9) } ?? 1
    let marginalRatio = marginalBaseline.map { marginal / max($0, 1e-9) } ?? 1
    emit(String(format: "%4d ms | %9d | %10.2f s | %9.2f s | %8.2f ms | %.2fx | %3d, %.2f s | %8.2f ms | %.2fx",
                latency, full.calls, full.wall, full.cpu, perCall, ratio, small.calls, small.cpu, marginal, marginalRatio))
}
await front?.stop()
await server.stop()
try? directory.remove()
