// Measures an offline plan of rules over a captured state of N snapshots (default 20,000) across
// 4 regions: per region, clusters with 50 days of automated snapshots each; one rule per region
// copies the newest snapshot of every cluster to the next region and keeps 7, with a week of
// copies already made (recorded in the lock file). The real path: LiveStateFile.parse of
// capture JSON, ManifestLoader, Planner. Prints figures; never fails on a timing.
//
//   swift build -c release --product RulesBenchmark
//   .build/release/RulesBenchmark [N]
import Foundation
import SnapcopyCore

let total = CommandLine.arguments.dropFirst().compactMap(Int.init).first ?? 20_000
let regions = ["us-east-1", "us-west-2", "eu-west-1", "ap-southeast-2"]
let days = 50
let clustersPerRegion = max(1, total / regions.count / (days + 7))
let account = "123456789012"
let now = Date(timeIntervalSince1970: 1_796_000_000)  // 2026-12-01-ish

func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}

func peakMB() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_maxrss) / 1024
}

func iso(_ date: Date) -> String { Timestamp.format(date) }

// Captures, one per region; the rule of region i copies to region i+1.
var captures: [[UInt8]] = []
var records: [LockRecord] = []
var snapshotCount = 0
for (index, region) in regions.enumerated() {
    let destination = regions[(index + 1) % regions.count]
    var items: [String] = []
    for cluster in 0..<clustersPerRegion {
        let name = "graph-\(index)-\(cluster)"
        for day in 0..<days {
            let created = now.addingTimeInterval(-Double(day) * 86_400 - 9 * 3600)
            let id = "rds:\(name)-\(day)"
            items.append("""
                {"DBClusterSnapshotIdentifier": "\(id)", "DBClusterSnapshotArn": "arn:aws:rds:\(region):\(account):cluster-snapshot:\(id)", \
                "DBClusterIdentifier": "\(name)", "Engine": "neptune", "Status": "available", "SnapshotType": "automated", \
                "StorageEncrypted": false, "SnapshotCreateTime": "\(iso(created))", "TagList": []}
                """)
            if day >= 1 && day <= 7 {
                // A copy the rule already made, in the destination's capture below.
                let target = "\(name)-d\(day)-dr"
                records.append(LockRecord(region: destination, target: target, targetARN: "arn:aws:rds:\(destination):\(account):cluster-snapshot:\(target)",
                                          sourceARN: "arn:aws:rds:\(region):\(account):cluster-snapshot:\(id)",
                                          tags: ["snapcopy:source": "arn:aws:rds:\(region):\(account):cluster-snapshot:\(id)", "snapcopy:rule": "dr-\(index)"],
                                          status: .available, entryDigest: "",
                                          rule: "dr-\(index)", sourceCluster: name, sourceCreateTime: iso(created)))
            }
        }
    }
    snapshotCount += items.count
    captures.append(Array("{\"Region\": \"\(region)\", \"CapturedAt\": \"\(iso(now))\", \"DBClusterSnapshots\": [\(items.joined(separator: ",\n"))]}".utf8))
}
// The copies themselves, live in their destinations, tagged by their rule.
var copyItems: [String: [String]] = [:]
for record in records {
    let tags = record.tags.sorted.map { "{\"Key\": \"\($0.key)\", \"Value\": \"\($0.value)\"}" }.joined(separator: ", ")
    copyItems[record.region, default: []].append("""
        {"DBClusterSnapshotIdentifier": "\(record.target)", "DBClusterSnapshotArn": "\(record.targetARN ?? "")", "Engine": "neptune", \
        "Status": "available", "SnapshotType": "manual", "StorageEncrypted": false, "SourceDBClusterSnapshotArn": "\(record.sourceARN)", "TagList": [\(tags)]}
        """)
}
for (region, items) in copyItems {
    snapshotCount += items.count
    captures.append(Array("{\"Region\": \"\(region)\", \"CapturedAt\": \"\(iso(now))\", \"DBClusterSnapshots\": [\(items.joined(separator: ",\n"))]}".utf8))
}
let rulesText = regions.enumerated().map { index, region in
    """
    {"name": "dr-\(index)", "select": {"region": "\(region)", "clusters": ["graph-\(index)-*"]}, \
    "copy": {"region": "\(regions[(index + 1) % regions.count])", "target": "{cluster}-{date}-dr"}, "retain": {"keep": 7}, "rpo": "PT26H"}
    """
}.joined(separator: ",\n")
let manifest = ManifestSource(path: "rules.json", text: "{\"version\": 1, \"rules\": [\(rulesText)]}")
let lock = LockFile(lineage: "bench", serial: 1, records: records)

let cpu0 = cpuSeconds()
var live = LiveState()
for (index, bytes) in captures.enumerated() {
    let capture = try LiveStateFile.parse(bytes, file: "capture-\(index).json")
    for snapshot in capture.snapshots { live.insert(snapshot) }
    for region in capture.regions { live.markDescribed(region) }
    live.capturedAt = capture.capturedAt
}
let cpu1 = cpuSeconds()
let manifests = ManifestLoader().load([manifest])
let plan = Planner().plan(desired: manifests, live: live, lock: lock, now: now)
let cpu2 = cpuSeconds()
let text = TextPlanRenderer(color: false).render(plan)
let cpu3 = cpuSeconds()

print("rules over \(snapshotCount) snapshots in \(regions.count) regions (\(clustersPerRegion) clusters per region, \(days) days), \(records.count) recorded copies")
print(String(format: "parse captures  %.2f s CPU", cpu1 - cpu0))
print(String(format: "load + plan     %.2f s CPU   (%@)", cpu2 - cpu1, plan.summary.line))
print(String(format: "render text     %.2f s CPU", cpu3 - cpu2))
print(String(format: "total           %.2f s CPU, peak memory %.0f MB (captures generated in memory included)", cpu3 - cpu0, peakMB()))
print(plan.problems.isEmpty ? "no problems" : "problems: \(plan.problems.prefix(3))")
_ = text
