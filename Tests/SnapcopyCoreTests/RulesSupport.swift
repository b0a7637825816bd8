import Foundation
import Testing
@testable import SnapcopyCore

/// Rules as a manifest declares them: `{"version": 1, "rules": [RULES]}` in us-west-2, read by the real reader.
func rules(_ json: String, defaults: String = "{\"region\": \"us-west-2\"}") -> [CopyRule] {
    let set = ManifestLoader().load([ManifestSource(path: "rules.json", text: "{\"version\": 1, \"defaults\": \(defaults), \"rules\": [\(json)]}")])
    #expect(set.isValid, "\(set.diagnostics)")
    return set.rules
}

/// `YYYY-MM-DDTHH:MM:00Z`.
func time(_ text: String) -> Date {
    Timestamp.parse(text) ?? Date(timeIntervalSince1970: 0)
}

/// An automated snapshot of `cluster` taken at `created` (its identifier is RDS's: `rds:CLUSTER-YYYY-MM-DD-HH-MM`).
func automated(_ cluster: String, _ created: String, region: String = east, account: String = account, tags: Tags? = [:]) -> LiveSnapshot {
    let stamp = String(created.prefix(16)).replacingOccurrences(of: "T", with: "-").replacingOccurrences(of: ":", with: "-")
    return snapshot(region, "rds:\(cluster)-\(stamp)", account: account, type: "automated", tags: tags, created: time(created), cluster: cluster)
}

/// Plans `rules` (and `copies`) against `live` and `records` at `now`.
func planRules(
    _ rules: [CopyRule], copies: [DesiredCopy] = [], live: [LiveSnapshot], records: [LockRecord]? = nil, now: String,
    regions: Set<String> = [east, west, "eu-west-1"]
) -> Plan {
    let set = ManifestSet(copies: copies, rules: rules, diagnostics: [], digest: "sha256:test")
    return Planner().plan(desired: set, live: LiveState(live, regions: regions), lock: records.map { LockFile(lineage: "L", records: $0) }, now: time(now))
}
