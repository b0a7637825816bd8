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
let server = try await FakeNeptuneServer.start(environment: serverEnvironment, keepAlive: keepAlive)
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
let environment = [
    "AWS_ACCESS_KEY_ID": "AKIABENCHMARKCPU0001", "AWS_SECRET_ACCESS_KEY": "benchmark-secret-key", "AWS_REGION": "us-east-1",
    "HOME": directory.url.path, "PATH": "/usr/bin:/bin", "AWS_EC2_METADATA_DISABLED": "true",
]
let arguments = ["plan", manifest.path, "--lock-file", directory.appending("none.lock").path, "--format", "json",
                 "--endpoint-url", server.endpoint.absoluteString]

// The fixed cost of a run (start-up, reading and validating the manifests), without the network.
var fixedCPUs: [Double] = []
for _ in 0..<runs {
    let before = childrenCPUSeconds()
    _ = try await runProcess(executable: binary, arguments: ["validate", manifest.path], environment: environment, timeout: .seconds(120))
    fixedCPUs.append(childrenCPUSeconds() - before)
}
let fixedCPU = fixedCPUs.sorted()[fixedCPUs.count / 2]

emit("CPUBenchmark: snapcopy plan of \(copies) existing cross-region copies, parallelism 16, \(runs) runs per latency")
emit("binary: \(binary.path); fake_neptune \(keepAlive ? "keeps connections alive (HTTP/1.1, as AWS)" : "closes every connection (HTTP/1.0)")")
emit(String(format: "fixed cost (snapcopy validate of the same manifest): %.3f s CPU", fixedCPU))
emit("latency | API calls | wall (median) | CPU (median) | CPU per call | ratio to 0 ms | (CPU - fixed) per call | ratio to 0 ms")
var baseline: Double?
var netBaseline: Double?
for latency in latencies {
    try await server.configure(FakeConfig(latencyMs: latency, pageSize: 100))
    var walls: [Double] = []
    var cpus: [Double] = []
    var calls = 0
    for _ in 0..<runs {
        try await server.resetStats()
        let cpuBefore = childrenCPUSeconds()
        let started = ContinuousClock.now
        let result = try await runProcess(executable: binary, arguments: arguments, environment: environment, timeout: .seconds(900))
        walls.append(seconds(ContinuousClock.now - started))
        cpus.append(childrenCPUSeconds() - cpuBefore)
        guard result.exitCode == 0 || result.exitCode == 2 else {
            emit("snapcopy failed (exit \(result.exitCode)): \(result.stderr.prefix(800))")
            exit(1)
        }
        calls = try await server.stats().callsByAction.values.reduce(0, +)
    }
    let wall = walls.sorted()[walls.count / 2]
    let cpu = cpus.sorted()[cpus.count / 2]
    let perCall = cpu / Double(max(1, calls)) * 1000
    let netPerCall = max(0, cpu - fixedCPU) / Double(max(1, calls)) * 1000
    if baseline == nil { baseline = perCall }
    if netBaseline == nil { netBaseline = netPerCall }
    let ratio = baseline.map { perCall / max($0, 1e-9) } ?? 1
    let netRatio = netBaseline.map { netPerCall / max($0, 1e-9) } ?? 1
    emit(String(format: "%4d ms | %9d | %10.2f s | %9.2f s | %9.2f ms | %.2fx | %9.2f ms | %.2fx", latency, calls, wall, cpu, perCall, ratio, netPerCall, netRatio))
}
await server.stop()
try? directory.remove()
