import Foundation

/// Compares the manifests (desired), the lock file (what snapcopy applied) and live state, and
/// reports every difference as a ``DriftFinding``. A pure value: the time and the thresholds are
/// passed in; it reads nothing and writes nothing.
///
/// For each lock record:
/// - The record's region has no live data: the copy is listed under ``DriftReport/uncheckedRegions``
///   and nothing else is said about it (not even `source-gone`).
/// - Otherwise it is listed in ``DriftReport/checked``, and its target (the own-account snapshot of
///   that identifier, preferring the account of the recorded `targetARN`) is looked at:
///   - gone: `missing`; but a record still `pending` with operation `create` or `replace` (the
///     copy never appeared) is `unapplied` (since its `startedAt`), and one still `pending` a
///     `delete` is left to the plan (whose `forget` or `create` becomes `unapplied`). A target
///     being deleted (`deleting`) is `missing` too.
///   - failed (`failed`, `incompatible-*`): `failed`.
///   - `copying` or `creating` for longer than `stuckAfter` (strictly longer, counted from the
///     record's `startedAt`, else the snapshot's create time): `stuck`, reason `too-long`.
///     Else, when the recorded `percentProgress` equals the live one and the record's
///     `progressSince` is strictly older than `stalledAfter`: `stuck`, reason `no-progress`.
///     A copy in progress is not checked further (apply repairs its tags once it is available).
///   - available but not the snapshot snapcopy made: `replaced`, naming each field that differs:
///     its create time differs from the recorded `snapshotCreateTime` by a second or more, the
///     API's `sourceARN` differs from the recorded one (case-insensitively), the KMS key differs
///     from the recorded key where ``KMSKeyReference/matches(desired:live:)`` can tell, or its
///     account differs from the recorded `targetARN`'s.
///   - otherwise available: its known tags, without `aws:`/`rds:` keys and the `ignoreTagKeys` of
///     the desired copy of that identity, are compared with the record's tags (without the same
///     keys): `tags-changed`, with every added, changed and removed key and both values. Unknown
///     tags (`tags == nil`, a capture without `TagList`) give a note, never a finding.
///   - a status this build does not know: a note.
/// - Its source (an ARN, or an identifier in the record's region) is not live while its region is
///   covered: `source-gone`, a warning.
///
/// Then the plan: every change with action `create`, `update-tags`, `replace`, `adopt`, `delete`
/// or `forget` (never `noop` or `wait`) is `unapplied`, unless a drift finding about the same
/// identity already explains it (a `missing` copy is planned as `create`, changed tags as
/// `update-tags`, a `failed` one as `replace`). A plan problem (an entry the plan cannot act on)
/// about an identity no finding explains is `unapplied` too, with the problem's rule in
/// `blockedBy`. Changes and problems whose destination region has no live data are listed as
/// unchecked instead.
///
/// Last, `unmanaged`: a live snapshot of the account's own (not shared or public), in a covered
/// region, whose known tags carry `snapcopy:source`, that no record knows and no desired copy
/// names. A desired copy that is not recorded is the plan's (`adopt`, `update-tags`, ...), so
/// `unapplied`. Copies neither desired nor recorded get no other finding.
public struct DriftDetector: Sendable {
    /// The default for ``stuckAfter``: 24 hours.
    public static let defaultStuckAfter: Duration = .seconds(24 * 3600)
    /// The default for ``stalledAfter``: 6 hours.
    public static let defaultStalledAfter: Duration = .seconds(6 * 3600)

    /// The time the report is made at.
    public var now: Date
    /// A copy in progress for strictly longer than this is stuck.
    public var stuckAfter: Duration
    /// A copy whose progress has not moved for strictly longer than this is stuck.
    public var stalledAfter: Duration

    public init(now: Date, stuckAfter: Duration = DriftDetector.defaultStuckAfter,
                stalledAfter: Duration = DriftDetector.defaultStalledAfter) {
        self.now = now
        self.stuckAfter = stuckAfter
        self.stalledAfter = stalledAfter
    }

    /// Reports the drift between `desired`, `lock` and `live`; `plan` is the plan of the same three
    /// (from ``Planner/plan(desired:live:lock:)``), whose changes become `unapplied` findings.
    public func detect(desired: ManifestSet, lock: LockFile?, live: LiveState, plan: Plan) -> DriftReport {
        var expanded = desired
        if !desired.rules.isEmpty {
            expanded.copies += RuleExpansion(rules: desired.rules, explicit: desired.copies, live: live, records: lock?.records ?? [], now: now).copies
        }
        var scan = DriftScan(detector: self, live: live, desired: expanded, plan: plan)
        for record in lock?.records ?? [] {
            scan.check(record)
        }
        scan.addUnapplied()
        scan.addUnmanaged(recorded: Set((lock?.records ?? []).map(\.identity)))
        let points = desired.rules.flatMap { recoveryPoints(of: $0, records: lock?.records ?? [], live: live) }
        for point in points where point.violated {
            scan.findings.append(Self.finding(for: point, rule: desired.rules.first { $0.name == point.rule }))
        }
        var report = DriftReport(
            generatedAt: Timestamp.format(now), findings: scan.findings, checked: scan.checked,
            uncheckedRegions: scan.unchecked.map { DriftReport.UncheckedRegion(region: $0.key, targets: Array($0.value)) },
            notes: scan.notes, thresholds: thresholds)
        report.recoveryPoints = points
        return report
    }

    /// The thresholds as the report records them.
    public var thresholds: DriftReport.Thresholds {
        DriftReport.Thresholds(stuckAfterSeconds: Int(stuckAfter.components.seconds),
                               stalledAfterSeconds: Int(stalledAfter.components.seconds))
    }
}

/// The detector's working state for one report.
struct DriftScan {
    let detector: DriftDetector
    let live: LiveState
    let desired: [CopyIdentity: DesiredCopy]
    let plan: Plan
    /// The plan's change and problem of each identity.
    let plannedChanges: [CopyIdentity: PlannedChange]
    let planProblems: [CopyIdentity: PlanProblem]
    var findings: [DriftFinding] = []
    var notes: [DriftReport.Note] = []
    var checked: [CopyIdentity] = []
    /// Region → lower-cased targets not checked there.
    var unchecked: [String: Set<String>] = [:]

    init(detector: DriftDetector, live: LiveState, desired: ManifestSet, plan: Plan) {
        self.detector = detector
        self.live = live
        self.desired = Dictionary(desired.copies.map { ($0.identity, $0) }, uniquingKeysWith: { first, _ in first })
        self.plan = plan
        self.plannedChanges = Dictionary(plan.changes.map { ($0.identity, $0) }, uniquingKeysWith: { first, _ in first })
        self.planProblems = Dictionary(plan.problems.map { (CopyIdentity(region: $0.region, target: $0.target), $0) },
                                       uniquingKeysWith: { first, _ in first })
    }

    mutating func note(_ region: String, _ target: String, _ message: String) {
        notes.append(DriftReport.Note(region: region, target: target, message: message))
    }

    mutating func markUnchecked(_ identity: CopyIdentity) {
        unchecked[identity.region, default: []].insert(identity.target)
    }
}

extension DriftDetector {
    /// `duration` in seconds, as `Date` arithmetic wants it.
    static func seconds(_ duration: Duration) -> TimeInterval {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
