// Measures validation and planning of N copies against a captured live state of 1.5 N snapshots.
// Prints figures; never fails on a timing. Run: swift run -c release PlanBenchmark [N] [--write DIR]
// With --write it also writes the inputs (DIR/manifests/m*.json and DIR/live.json) so that the real
// binary can be measured on them: `snapcopy plan DIR/manifests --live-state DIR/live.json` (Benchmarks/run does).
import Foundation
import SnapcopyCore

let arguments = Array(CommandLine.arguments.dropFirst())
let count = arguments.first.flatMap(Int.init) ?? 10_000
let writeDirectory = arguments.firstIndex(of: "--write").flatMap { $0 + 1 < arguments.count ? arguments[$0 + 1] : nil }
let account = "123456789012"
#if os(Linux)
let RUSAGE_SELF_VALUE = __rusage_who_t(RUSAGE_SELF.rawValue)
#else
let RUSAGE_SELF_VALUE = RUSAGE_SELF
#endif

func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF_VALUE, &usage)
    return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
        + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
}

// Manifests: one file per 500 copies, cross-region with tags, like a real DR set.
var sources: [ManifestSource] = []
var manifestBytes = 0
for file in 0..<max(1, count / 500) {
    let range = (file * 500)..<min(count, (file + 1) * 500)
    let copies = range.map { i in
        "{\"source\": \"arn:aws:rds:us-east-1:\(account):cluster-snapshot:prod-\(i)\", \"target\": \"prod-\(i)-dr\", \"tags\": {\"env\": \"prod\", \"index\": \"\(i)\"}}"
    }
    let text = "{\"version\": 1, \"defaults\": {\"region\": \"us-west-2\", \"copyTags\": true, \"tags\": {\"managed-by\": \"snapcopy\"}}, \"copies\": [\(copies.joined(separator: ",\n"))]}"
    manifestBytes += text.utf8.count
    sources.append(ManifestSource(path: "m\(file).json", text: text))
}

// Live state: N sources in us-east-1 and, for half of them, an existing copy in us-west-2 (a third with drifted tags).
func snapshotJSON(region: String, id: String, tags: [String: String]) -> String {
    let tagList = tags.sorted { $0.key < $1.key }.map { "{\"Key\": \"\($0.key)\", \"Value\": \"\($0.value)\"}" }.joined(separator: ", ")
    return "{\"DBClusterSnapshotIdentifier\": \"\(id)\", \"DBClusterSnapshotArn\": \"arn:aws:rds:\(region):\(account):cluster-snapshot:\(id)\", \"Engine\": \"neptune\", \"Status\": \"available\", \"PercentProgress\": 100, \"StorageEncrypted\": false, \"SnapshotType\": \"manual\", \"SnapshotCreateTime\": \"2026-11-20T03:00:00.512000+00:00\", \"TagList\": [\(tagList)]}"
}
var items: [String] = []
for i in 0..<count {
    items.append(snapshotJSON(region: "us-east-1", id: "prod-\(i)", tags: ["owner": "graph", "aws:x": "y"]))
    if i % 2 == 0 {
        var tags = ["env": "prod", "index": "\(i)", "owner": "graph", "managed-by": "snapcopy",
                    "snapcopy:source": "arn:aws:rds:us-east-1:\(account):cluster-snapshot:prod-\(i)"]
        if i % 3 == 0 { tags["env"] = "stale" }
        items.append(snapshotJSON(region: "us-west-2", id: "prod-\(i)-dr", tags: tags))
    }
}
let liveText = "{\"DBClusterSnapshots\": [\(items.joined(separator: ",\n"))]}"
if let writeDirectory {
    let manifests = URL(fileURLWithPath: writeDirectory).appendingPathComponent("manifests")
    try FileManager.default.createDirectory(at: manifests, withIntermediateDirectories: true)
    for source in sources {
        try Data(source.contents).write(to: manifests.appendingPathComponent(source.path))
    }
    try Data(liveText.utf8).write(to: URL(fileURLWithPath: writeDirectory).appendingPathComponent("live.json"))
}

let t0 = cpuSeconds()
let manifests = ManifestLoader().load(sources)
let t1 = cpuSeconds()
let capture = try LiveStateFile.parse(Array(liveText.utf8), file: "live.json")
let live = LiveState(capture.snapshots, regions: capture.regions)
let t2 = cpuSeconds()
let plan = Planner().plan(desired: manifests, live: live, lock: nil)
let t3 = cpuSeconds()
let text = TextPlanRenderer(color: false).render(plan)
let t4 = cpuSeconds()
let json = try JSONPlanRenderer().render(plan)
let t5 = cpuSeconds()

func ms(_ seconds: Double) -> String { String(format: "%8.1f ms", seconds * 1000) }
print("copies: \(count), live snapshots: \(items.count), manifest bytes: \(manifestBytes), live-state bytes: \(liveText.utf8.count)")
print("load + validate manifests \(ms(t1 - t0))")
print("parse live state          \(ms(t2 - t1))")
print("plan                      \(ms(t3 - t2))   (\(plan.summary.line))")
print("render text               \(ms(t4 - t3))   (\(text.utf8.count) bytes)")
print("render json               \(ms(t5 - t4))   (\(json.utf8.count) bytes)")
print("total CPU                 \(ms(t5 - t0))")
