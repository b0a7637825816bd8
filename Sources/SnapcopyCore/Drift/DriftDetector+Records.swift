import Foundation

/// The checks of one lock record against live state (see ``DriftDetector`` for the rules).
extension DriftScan {
    mutating func check(_ record: LockRecord) {
        guard live.covers(record.region) else {
            markUnchecked(record.identity)
            return
        }
        checked.append(record.identity)
        let desiredCopy = desired[record.identity]
        if let target = target(of: record) {
            checkExisting(record, target: target, desired: desiredCopy)
        } else {
            checkGone(record, desired: desiredCopy)
        }
        checkSource(of: record)
    }

    /// The own-account snapshot with the record's identifier, preferring the recorded account.
    func target(of record: LockRecord) -> LiveSnapshot? {
        let candidates = live.snapshots(region: record.region, identifier: record.target).filter { !$0.type.isForeign }
        if let account = Self.recordedAccount(record), let mine = candidates.first(where: { $0.account == account }) {
            return mine
        }
        return candidates.first
    }

    /// The account the record's copy lives in: its `targetARN`'s, else its role's.
    static func recordedAccount(_ record: LockRecord) -> String? {
        record.targetARN.flatMap { SnapshotARN($0)?.account } ?? DesiredCopy.account(ofRole: record.roleARN)
    }

    // MARK: - The target is gone

    private mutating func checkGone(_ record: LockRecord, desired: DesiredCopy?) {
        let nowhere = "no snapshot \(record.target) in \(record.region)" + (Self.recordedAccount(record).map { " (account \($0))" } ?? "")
        if record.status == .pending {
            switch record.operation {
            case .create, .replace:
                let operation = record.operation?.rawValue ?? "create"
                // What the plan makes of it: its change, or the problem that blocks it.
                let problem = planProblems[record.identity]
                let action = plannedChanges[record.identity]?.action ?? (problem == nil ? (record.operation == .replace ? .replace : .create) : nil)
                findings.append(DriftFinding(
                    region: record.region, target: record.target, kind: .unapplied,
                    expected: "a copy of \(record.sourceARN)", live: nowhere,
                    message: "an earlier apply recorded this \(operation) as pending\(record.startedAt.map { " at \($0)" } ?? "") and stopped before the copy existed; the next apply copies it",
                    since: record.startedAt.flatMap(Self.normalized), plannedAction: action, blockedBy: problem?.rule,
                    sourceARN: record.sourceARN, location: desired?.location))
                return
            case .delete:
                return // the delete happened and was not recorded: the plan's forget (or create) says so
            case .updateTags, nil:
                break
            }
        }
        findings.append(DriftFinding(
            region: record.region, target: record.target, kind: .missing,
            expected: "\(record.targetARN ?? record.target) (recorded \(record.status.rawValue))", live: nowhere,
            message: "the copy the lock file records is gone from the account",
            targetARN: Self.validARN(record.targetARN), sourceARN: record.sourceARN, location: desired?.location))
    }

    // MARK: - The target exists

    private mutating func checkExisting(_ record: LockRecord, target: LiveSnapshot, desired: DesiredCopy?) {
        let arn = target.arn.description
        func finding(_ kind: DriftKind, expected: String, live: String, message: String, since: String? = nil) -> DriftFinding {
            DriftFinding(region: record.region, target: record.target, kind: kind, expected: expected, live: live, message: message,
                         since: since, targetARN: arn, sourceARN: record.sourceARN, location: desired?.location)
        }
        switch target.status {
        case .failed, .incompatible:
            findings.append(finding(
                .failed, expected: "\(arn) available", live: "status \(target.status)",
                message: "the copy ended in status \(target.status); the next plan replaces it",
                since: record.status == .failed ? (record.observedAt ?? record.completedAt).flatMap(Self.normalized) : nil))
        case .copying, .creating:
            if var stuck = stuckFinding(record, target: target) {
                stuck.targetARN = arn
                stuck.location = desired?.location
                findings.append(stuck)
            }
        case .deleting:
            findings.append(finding(
                .missing, expected: "\(arn) (recorded \(record.status.rawValue))", live: "status deleting",
                message: "the copy the lock file records is being deleted"))
        case .available:
            if let replaced = replacedFinding(record, target: target) {
                var replaced = replaced
                replaced.location = desired?.location
                findings.append(replaced)
            } else {
                checkTags(record, target: target, desired: desired)
            }
        case .other(let status):
            note(record.region, record.target, "the target is in status \(CanonicalJSON.quote(status)), which this snapcopy does not know; it was not compared")
        }
    }

    /// `stuck` when the copy has run too long or stopped moving; nil when it is merely in progress.
    private func stuckFinding(_ record: LockRecord, target: LiveSnapshot) -> DriftFinding? {
        let now = detector.now
        let percent = target.percentProgress.map { " at \($0)%" } ?? ""
        let start = record.startedAt.flatMap(Timestamp.parse) ?? target.createTime
        if let start, now.timeIntervalSince(start) > DriftDetector.seconds(detector.stuckAfter) {
            let elapsed = DriftDuration.format(now.timeIntervalSince(start))
            let limit = DriftDuration.format(DriftDetector.seconds(detector.stuckAfter))
            return DriftFinding(
                region: record.region, target: record.target, kind: .stuck,
                expected: "available within \(limit) of starting", live: "\(target.status)\(percent) after \(elapsed)",
                message: "the copy has been \(target.status) for \(elapsed) since \(Timestamp.format(start)), longer than stuck-after (\(limit))",
                since: Timestamp.format(start), stuckReason: .tooLong, sourceARN: record.sourceARN)
        }
        if let recorded = record.percentProgress, recorded == target.percentProgress,
           let since = record.progressSince.flatMap(Timestamp.parse),
           now.timeIntervalSince(since) > DriftDetector.seconds(detector.stalledAfter) {
            let elapsed = DriftDuration.format(now.timeIntervalSince(since))
            let limit = DriftDuration.format(DriftDetector.seconds(detector.stalledAfter))
            return DriftFinding(
                region: record.region, target: record.target, kind: .stuck,
                expected: "progress within \(limit)", live: "\(target.status) at \(recorded)% since \(Timestamp.format(since))",
                message: "the copy's progress has not moved from \(recorded)% across the observations recorded over \(elapsed), longer than stalled-after (\(limit))",
                since: Timestamp.format(since), stuckReason: .noProgress, sourceARN: record.sourceARN)
        }
        return nil
    }

    /// `replaced` when the available target is not the snapshot the record describes.
    private func replacedFinding(_ record: LockRecord, target: LiveSnapshot) -> DriftFinding? {
        var fields: [(name: String, expected: String, live: String)] = []
        if let recorded = record.snapshotCreateTime.flatMap(Timestamp.parse), let created = target.createTime,
           abs(created.timeIntervalSince(recorded)) >= 1 {
            fields.append(("create time", "created \(Timestamp.format(recorded))", "created \(Timestamp.format(created))"))
        }
        if let source = target.sourceARN, source.lowercased() != record.sourceARN.lowercased() {
            fields.append(("source", "copied from \(record.sourceARN)", "copied from \(source)"))
        }
        if let recordedKey = record.kmsKeyID, let liveKey = target.kmsKeyID,
           KMSKeyReference.matches(desired: recordedKey, live: liveKey) == false {
            fields.append(("KMS key", "encrypted with \(recordedKey)", "encrypted with \(liveKey)"))
        }
        if let account = record.targetARN.flatMap({ SnapshotARN($0)?.account }), account != target.account {
            fields.append(("account", "in account \(account)", "in account \(target.account)"))
        }
        guard !fields.isEmpty else { return nil }
        return DriftFinding(
            region: record.region, target: record.target, kind: .replaced,
            expected: fields.map(\.expected).joined(separator: "; "), live: fields.map(\.live).joined(separator: "; "),
            message: "\(target.identifier) is not the snapshot snapcopy made: its \(fields.map(\.name).joined(separator: ", ")) \(fields.count == 1 ? "differs" : "differ") from the lock record",
            since: target.createTime.map(Timestamp.format), targetARN: target.arn.description, sourceARN: record.sourceARN)
    }

    private mutating func checkTags(_ record: LockRecord, target: LiveSnapshot, desired: DesiredCopy?) {
        guard let liveTags = target.tags else {
            note(record.region, record.target, "tags were not compared: the live state has no tags for \(target.identifier) (a capture without TagList)")
            return
        }
        let ignored = Set(desired?.ignoreTagKeys ?? [])
        func compared(_ tags: Tags) -> Tags { tags.withoutReservedKeys.filter(keys: { !ignored.contains($0) }) }
        let changes = DriftTagChange.differences(expected: compared(record.tags), live: compared(liveTags))
        guard !changes.isEmpty else { return }
        let counts = DriftTagChange.Change.allCases.compactMap { change -> String? in
            let n = changes.filter { $0.change == change }.count
            return n == 0 ? nil : "\(n) \(change.rawValue)"
        }
        findings.append(DriftFinding(
            region: record.region, target: record.target, kind: .tagsChanged,
            expected: "tags " + DriftText.tags(changes, side: \.expected), live: "tags " + DriftText.tags(changes, side: \.live),
            message: "\(DriftSummary.count(changes.count, "tag")) \(changes.count == 1 ? "differs" : "differ") from those snapcopy set (\(counts.joined(separator: ", ")))",
            tagChanges: changes, targetARN: target.arn.description, sourceARN: record.sourceARN, location: desired?.location))
    }

    // MARK: - The source

    /// `source-gone` when the record's source is not live and its region is covered.
    private mutating func checkSource(of record: LockRecord) {
        // A rule's automated sources expire at their backup retention: normal, not worth a warning.
        guard record.rule == nil else { return }
        let region: String
        let present: Bool
        if let arn = SnapshotARN(record.sourceARN) {
            region = arn.region
            present = live.snapshot(arn: arn) != nil
        } else {
            region = record.region
            present = !live.snapshots(region: region, identifier: record.sourceARN).isEmpty
        }
        guard live.covers(region), !present else { return }
        findings.append(DriftFinding(
            region: record.region, target: record.target, kind: .sourceGone,
            expected: "the source \(record.sourceARN)", live: "no snapshot \(SnapshotARN(record.sourceARN)?.identifier ?? record.sourceARN) in \(region)",
            message: "the source of this copy no longer exists (deleted, or an automated snapshot past its retention); the copy is unaffected, but it could not be made again",
            targetARN: Self.validARN(record.targetARN), sourceARN: record.sourceARN, location: desired[record.identity]?.location))
    }

    // MARK: - Helpers

    /// The recorded ARN when it is a cluster snapshot ARN.
    static func validARN(_ text: String?) -> String? {
        text.flatMap { SnapshotARN($0) == nil ? nil : $0 }
    }

    /// A recorded timestamp in the report's form (ISO 8601, UTC); nil when it does not parse.
    static func normalized(_ text: String) -> String? {
        Timestamp.parse(text).map(Timestamp.format)
    }
}
