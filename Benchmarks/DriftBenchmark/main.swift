// Measures `drift` of N managed copies (default 10,000) in one account and region, in-process:
// the live state is an in-memory account behind a reader that counts calls and adds a fixed
// latency per call (default 20 ms) at --parallelism 16, then the real drift path runs:
// LiveStateLoader (finding unmanaged copies), Planner, DriftDetector, and the JSON and JUnit
// renderers. A tenth of the copies have drifted (tags changed), and 100 unmanaged copies exist.
// Prints figures; never fails on a timing.
//
//   swift build -c release --product DriftBenchmark
//   .build/release/DriftBenchmark [N] [--latency-ms 20]
import Foundation
import SnapcopyCore

let arguments = CommandLine.arguments.dropFirst()
let count = arguments.compactMap(Int.init).first ?? 10_000
let latencyMs = arguments.firstIndex(of: "--latency-ms").flatMap { Int(arguments[arguments.index(after: $0)]) } ?? 20
let parallelism = 16
let account = "123456789012"
let east = "us-east-1"
let west = "us-west-2"
let clock = ContinuousClock()

/// A reader that counts calls by kind and waits `latency` per call, as a far API would.
actor CountingReader: SnapshotReader {
    let inner: InMemorySnapshotService
    let latency: Duration
    private(set) var calls: [String: Int] = [:]

    init(_ inner: InMemorySnapshotService, latency: Duration) {
        self.inner = inner
        self.latency = latency
    }

    func listSnapshots(in scope: AccountScope, includeShared: Bool) async throws -> [LiveSnapshot] {
        calls["list \(scope.region)", default: 0] += 1
        try await Task.sleep(for: latency)
        return try await inner.listSnapshots(in: scope, includeShared: includeShared)
    }

    func tags(of arn: String, in scope: AccountScope) async throws -> Tags {
        calls["tags", default: 0] += 1
        try await Task.sleep(for: latency)
        return try await inner.tags(of: arn, in: scope)
    }
}

func arn(_ region: String, _ id: String) -> SnapshotARN { SnapshotARN(region: region, account: account, identifier: id) }

var snapshots: [LiveSnapshot] = []
var entries: [String] = []
var records: [LockRecord] = []
let created = Date(timeIntervalSince1970: 1_795_000_000)
for i in 0..<count {
    let source = arn(east, "src-\(i)")
    let tags: Tags = ["env": "prod", TagRules.ownershipKey: source.description]
    snapshots.append(LiveSnapshot(identifier: "src-\(i)", arn: source, createTime: created, tags: ["owner": "graph"]))
    let live = i % 10 == 0 ? tags.merging(["env": "changed"]) : tags
    snapshots.append(LiveSnapshot(identifier: "src-\(i)-dr", arn: arn(west, "src-\(i)-dr"), createTime: created,
                                  sourceARN: source.description, tags: live))
    entries.append("{\"source\": \"\(source)\", \"target\": \"src-\(i)-dr\", \"tags\": {\"env\": \"prod\"}}")
    records.append(LockRecord(region: west, target: "src-\(i)-dr", targetARN: arn(west, "src-\(i)-dr").description,
                              sourceARN: source.description, tags: tags, status: .available,
                              snapshotCreateTime: Timestamp.format(created)))
}
let manifestText = "{\"version\": 1, \"defaults\": {\"region\": \"\(west)\"}, \"copies\": [\(entries.joined(separator: ",\n"))]}"
let manifests = ManifestLoader().load([ManifestSource(path: "bench.json", text: manifestText)])
let copies = manifests.copies
let digests = Dictionary(uniqueKeysWithValues: copies.map { ($0.identity, $0.digest) })
for index in records.indices { records[index].entryDigest = digests[records[index].identity] ?? "" }
for i in 0..<100 {
    snapshots.append(LiveSnapshot(identifier: "stray-\(i)", arn: arn(west, "stray-\(i)"), createTime: created,
                                  sourceARN: arn(east, "src-\(i)").description, tags: [TagRules.ownershipKey: arn(east, "src-\(i)").description]))
}
let lock = LockFile(lineage: "bench", serial: 1, records: records)
let reader = CountingReader(InMemorySnapshotService(snapshots: snapshots), latency: .milliseconds(latencyMs))

func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}

func ms(_ duration: Duration) -> String {
    String(format: "%.0f ms", Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15)
}

let cpu0 = cpuSeconds()
let t0 = clock.now
let live = try await LiveStateLoader(service: reader, parallelism: parallelism).load(copies: copies, records: records, findingUnmanagedCopies: true)
let t1 = clock.now
let plan = Planner().plan(desired: manifests, live: live, lock: lock)
let t2 = clock.now
let report = DriftDetector(now: created.addingTimeInterval(86_400)).detect(desired: manifests, lock: lock, live: live, plan: plan)
let t3 = clock.now
let json = try report.rendered(as: .json)
let junit = try report.rendered(as: .junit)
let t4 = clock.now
let cpu1 = cpuSeconds()

let calls = await reader.calls
let tagCalls = calls["tags"] ?? 0
let listings = calls.filter { $0.key.hasPrefix("list") }.values.reduce(0, +)
// The floor: the listings (one per scope; the API pages them) and one tag call per copy read, `parallelism` at once.
let floor = Double(listings + (tagCalls + parallelism - 1) / parallelism) * Double(latencyMs)
print("drift of \(count) managed copies (+100 unmanaged), \(latencyMs) ms per call, parallelism \(parallelism)")
print("calls: \(listings) listings (\(calls.keys.filter { $0.hasPrefix("list") }.sorted().joined(separator: ", "))), \(tagCalls) tag calls (\(count) managed + 100 unknown copies)")
print("describe live state  \(ms(t1 - t0))   (floor \(String(format: "%.0f", floor)) ms, ratio \(String(format: "%.2f", Double((t1 - t0).components.seconds * 1000) / floor + Double((t1 - t0).components.attoseconds) / 1e15 / floor)))")
print("plan                 \(ms(t2 - t1))")
print("detect               \(ms(t3 - t2))   (\(report.summary.line))")
print("render JSON + JUnit  \(ms(t4 - t3))   (\(json.utf8.count + junit.utf8.count) bytes)")
print("total wall           \(ms(t4 - t0)), CPU \(String(format: "%.2f", cpu1 - cpu0)) s")
