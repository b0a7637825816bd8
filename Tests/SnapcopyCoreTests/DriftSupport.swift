import Foundation
@testable import SnapcopyCore

/// The fixed world of the drift tests: a clock, a source in us-east-1, and its copy `prod-dr` in us-west-2.
enum DriftFixture {
    static let now = Date(timeIntervalSince1970: 1_795_262_400) // 2026-11-21T12:00:00Z
    static let source = arn(east, "prod-1")
    /// When the copy snapcopy made was created.
    static let created = now.addingTimeInterval(-3 * 86_400)
    static let hour: TimeInterval = 3600

    static func ago(_ seconds: TimeInterval) -> Date { now.addingTimeInterval(-seconds) }
    static func iso(_ date: Date) -> String { Timestamp.format(date) }

    /// The source snapshot, available.
    static let sourceSnapshot = snapshot(east, "prod-1")

    /// The live copy `prod-dr`, as snapcopy made it unless told otherwise.
    static func target(
        _ id: String = "prod-dr", status: String = "available", percent: Int? = 100, account: String = account,
        encrypted: Bool = false, kms: String? = nil, sourceARN: String? = nil, tags: Tags? = owned(by: source),
        created: Date? = DriftFixture.created
    ) -> LiveSnapshot {
        snapshot(west, id, account: account, status: status, percent: percent, encrypted: encrypted, kms: kms,
                 sourceARN: sourceARN, tags: tags, created: created)
    }

    /// The lock record of `prod-dr` as a finished apply leaves it, changed by `edit`.
    static func recorded(_ target: String = "prod-dr", source: SnapshotARN = DriftFixture.source,
                         _ edit: (inout LockRecord) -> Void = { _ in }) -> LockRecord {
        var made = record(target, source: source)
        made.snapshotCreateTime = iso(created)
        made.startedAt = iso(created.addingTimeInterval(-2 * hour))
        made.completedAt = iso(created.addingTimeInterval(hour))
        made.percentProgress = 100
        edit(&made)
        return made
    }

    /// The report of `copies`, `records` and `live`, with the plan the planner makes of them.
    static func detect(
        _ copies: [DesiredCopy], live: [LiveSnapshot], records: [LockRecord]?, regions: Set<String> = [east, west, "eu-west-1"],
        now: Date = DriftFixture.now, rules: [CopyRule] = []
    ) -> DriftReport {
        let set = ManifestSet(copies: copies, rules: rules, diagnostics: [], digest: "sha256:test")
        let lock = records.map { LockFile(lineage: "L", serial: 3, records: $0) }
        let state = LiveState(live, regions: regions)
        let plan = Planner().plan(desired: set, live: state, lock: lock, now: now)
        return DriftDetector(now: now).detect(desired: set, lock: lock, live: state, plan: plan)
    }
}

extension DriftReport {
    /// `kind target` of every finding, in report order.
    var kindsAndTargets: [String] { findings.map { "\($0.kind.rawValue) \($0.target)" } }
}
