/// The findings that come from the plan (`unapplied`) and from live snapshots nothing knows (`unmanaged`).
extension DriftScan {
    /// Adds an `unapplied` finding for each change the plan would still make and each entry it
    /// cannot act on, unless a drift finding about the same identity explains it already.
    mutating func addUnapplied() {
        var explained = Set(findings.filter(\.isDrift).map(\.identity))
        for change in plan.changes {
            guard let texts = Self.unappliedTexts(change) else { continue }
            guard live.covers(change.region) else {
                markUnchecked(change.identity)
                continue
            }
            guard explained.insert(change.identity).inserted else { continue }
            findings.append(DriftFinding(
                region: change.region, target: change.target, kind: .unapplied, expected: texts.expected, live: texts.live,
                message: "the plan would \(Self.verb(change.action))" + (change.reasons.isEmpty ? "" : ": " + change.reasons.joined(separator: "; ")),
                tagChanges: texts.tagChanges, plannedAction: change.action, targetARN: change.before?.arn,
                sourceARN: change.after?.sourceARN ?? change.before?.sourceARN ?? (SnapshotARN(change.source) != nil ? change.source : nil),
                location: change.location))
        }
        for problem in plan.problems {
            let identity = CopyIdentity(region: problem.region, target: problem.target)
            guard live.covers(problem.region) else {
                markUnchecked(identity)
                continue
            }
            guard explained.insert(identity).inserted else { continue }
            findings.append(DriftFinding(
                region: problem.region, target: problem.target, kind: .unapplied,
                expected: "a copy of \(problem.source)", live: "blocked: \(problem.message)",
                message: "the manifests ask for this copy, but the plan cannot make it (\(problem.rule)); fix: \(problem.fix)",
                blockedBy: problem.rule, sourceARN: SnapshotARN(problem.source) != nil ? problem.source : nil,
                location: problem.location))
        }
    }

    /// What the plan wants and what is there, for a change that still has something to do; nil for `noop` and `wait`.
    static func unappliedTexts(_ change: PlannedChange) -> (expected: String, live: String, tagChanges: [DriftTagChange])? {
        let nowhere = "no snapshot \(change.target) in \(change.region)"
        let present = change.before.map { before in
            "\(before.arn ?? before.identifier)" + (before.status.map { " (\($0))" } ?? "")
        }
        let source = change.after?.sourceARN ?? change.source
        let key = change.after?.kmsKeyID.map { ", encrypted with \($0)" } ?? ""
        let tagChanges = change.tagChanges.map { DriftTagChange(key: $0.key, expected: $0.after, live: $0.before) }
        switch change.action {
        case .noop, .wait:
            return nil
        case .create:
            return ("a copy of \(source)\(key)", present ?? nowhere, [])
        case .replace:
            var live = present ?? nowhere
            if let origin = change.before?.sourceARN { live += ", copied from \(origin)" }
            if let liveKey = change.before?.kmsKeyID { live += ", encrypted with \(liveKey)" }
            return ("a copy of \(source)\(key)", live, [])
        case .updateTags:
            return ("tags " + DriftText.tags(tagChanges, side: \.expected), "tags " + DriftText.tags(tagChanges, side: \.live), tagChanges)
        case .adopt:
            return ("a lock record of \(present ?? change.target) matching its entry", present ?? nowhere, tagChanges)
        case .delete:
            return ("\(change.target) deleted (its entry left the manifests; deletionPolicy delete)", present ?? nowhere, [])
        case .forget:
            return ("no lock record (its entry left the manifests; the snapshot is kept)",
                    "a lock record" + (present.map { " of \($0)" } ?? ", and \(nowhere)"), [])
        }
    }

    /// What the plan would do, as in "the plan would create it".
    static func verb(_ action: Action) -> String {
        switch action {
        case .create: "create it"
        case .updateTags: "update its tags"
        case .replace: "replace it"
        case .adopt: "record it"
        case .delete: "delete it"
        case .forget: "forget it (the snapshot is kept)"
        case .noop: "leave it"
        case .wait: "wait for it"
        }
    }

    /// Adds an `unmanaged` finding for each own-account snapshot in a covered region that carries
    /// snapcopy's ownership tag and that no record knows and no desired copy names.
    mutating func addUnmanaged(recorded: Set<CopyIdentity>) {
        for snapshot in live.snapshots where live.covers(snapshot.region) && !snapshot.type.isForeign {
            guard let owner = snapshot.tags?[TagRules.ownershipKey],
                  !recorded.contains(snapshot.identity), desired[snapshot.identity] == nil
            else { continue }
            findings.append(DriftFinding(
                region: snapshot.region, target: snapshot.identifier, kind: .unmanaged,
                expected: "no snapshot snapcopy owns: no lock record or manifest entry names \(snapshot.identifier)",
                live: "\(snapshot.arn) (\(snapshot.status)), tagged \(TagRules.ownershipKey) = \(CanonicalJSON.quote(owner))",
                message: "a snapshot carries snapcopy's ownership tag, but no lock record knows it and no manifest names it (a lost lock record, or a copy made from another repository); declare it to adopt it, or delete it",
                since: snapshot.createTime.map(Timestamp.format), targetARN: snapshot.arn.description, sourceARN: owner))
        }
    }
}
