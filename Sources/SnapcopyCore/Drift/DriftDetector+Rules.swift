import Foundation

extension DriftDetector {
    /// The recovery points of `rule` (when it has an RPO): per cluster it selects (named literally,
    /// seen among its candidates, or among its copies), the newest available copy and its age from
    /// its source's creation; one point for `*` when the selector matches no cluster at all.
    func recoveryPoints(of rule: CopyRule, records: [LockRecord], live: LiveState) -> [DriftReport.RecoveryPoint] {
        guard let rpo = rule.rpo, live.covers(rule.region) else { return [] }
        let copies = records.filter { $0.rule == rule.name }
        var clusters = Set(rule.clusters.filter(\.isLiteral).map(\.text))
        clusters.formUnion(RuleExpansion.candidates(of: rule, in: live).compactMap(\.clusterIdentifier))
        clusters.formUnion(copies.compactMap(\.sourceCluster))
        if clusters.isEmpty { clusters = ["*"] }
        return clusters.sorted().map { cluster in
            let newest = copies
                .filter { record in
                    record.sourceCluster == cluster
                        && live.snapshot(region: record.region, identifier: record.target, account: record.targetARN.flatMap { SnapshotARN($0)?.account })?.isAvailable == true
                }
                .compactMap { record in record.sourceCreateTime.flatMap(Timestamp.parse).map { (record, $0) } }
                .max { $0.1 < $1.1 }
            let age = newest.map { Int(now.timeIntervalSince($0.1)) }
            return DriftReport.RecoveryPoint(
                rule: rule.name, cluster: cluster, region: rule.region, rpoSeconds: rpo.seconds, newestCopy: newest?.0.target,
                sourceCreateTime: newest.map { Timestamp.format($0.1) }, ageSeconds: age, violated: age.map { $0 > rpo.seconds } ?? true)
        }
    }

    /// The `rpo-violated` finding of `point`.
    static func finding(for point: DriftReport.RecoveryPoint, rule: CopyRule?) -> DriftFinding {
        let rpo = rule?.rpo?.text ?? "\(point.rpoSeconds)s"
        let live: String
        let message: String
        if let copy = point.newestCopy, let age = point.ageSeconds {
            live = "newest copy \(copy), \(DriftDuration.format(Double(age))) old (source created \(point.sourceCreateTime ?? "?"))"
            message = "rule \(point.rule)'s newest copy of cluster \(point.cluster) is \(DriftDuration.format(Double(age))) old, more than its RPO \(rpo)"
        } else if point.cluster == "*" {
            live = "no copy: the selector matches no snapshot"
            message = "rule \(point.rule) has no copy at all: its selector matches no snapshot in \(rule?.sourceRegion ?? point.region)"
        } else {
            live = "no copy"
            message = "rule \(point.rule) has no available copy of cluster \(point.cluster)"
        }
        return DriftFinding(region: point.region, target: "\(point.rule)/\(point.cluster)", kind: .rpoViolated,
                            expected: "a copy younger than \(rpo)", live: live, message: message,
                            since: point.sourceCreateTime, location: rule?.location)
    }
}
