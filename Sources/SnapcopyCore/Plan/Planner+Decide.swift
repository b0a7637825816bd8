/// What the planner knows while deciding each entry.
struct Context {
    let live: LiveState
    let lock: LockFile?
    let graph: CopyGraph
    /// The tags each copy decided so far will carry once applied (nil: unknown), so a chained copy
    /// that copies its source's tags gets them decided here, once, and never at apply time.
    var plannedTags: [CopyIdentity: Tags?] = [:]

    func decide(_ copy: DesiredCopy) -> Decision {
        let record = lock?.record(for: copy.identity)
        let parent = graph.parent(of: copy.identity)

        func problem(_ rule: String, _ message: String, fix: String) -> Decision {
            .problem(PlanProblem(rule: rule, region: copy.region, target: copy.target, source: copy.source.description,
                                 message: message, fix: fix, location: copy.location))
        }

        guard live.covers(copy.region) else {
            return problem("region-not-described",
                           "the live state has no data for \(copy.region), this copy's destination; snapcopy cannot tell whether the copy exists there",
                           fix: Self.captureFix(copy.region))
        }
        let source = sourceSnapshot(of: copy)
        let sourceARN = source?.arn.description ?? sourceARN(of: copy, parent: parent)
        let target = targetSnapshot(of: copy)

        // The tag policy, decided once: the source's tags (when copied, without aws:/rds: keys,
        // ignored keys or its ownership tag), overlaid by the manifest's, plus the ownership tag.
        let inherited: Tags?? = copy.copyTags ? .some(parent.flatMap { plannedTags[$0] } ?? source?.tags) : .none
        var tags = (inherited ?? nil)?.withoutReservedKeys ?? Tags()
        tags.remove(keys: copy.ignoreTagKeys)
        tags[TagRules.ownershipKey] = nil
        tags.merge(copy.tags)
        if let sourceARN { tags[TagRules.ownershipKey] = sourceARN }

        let after = SnapshotState(
            identifier: copy.target, region: copy.region, sourceARN: sourceARN, kmsKeyID: copy.kmsKeyID,
            tags: tags, copyTags: copy.copyTags, deletionPolicy: copy.deletionPolicy, roleARN: copy.roleARN)
        var change = PlannedChange(
            action: .create, region: copy.region, target: copy.target, source: copy.source.description,
            after: after, location: copy.location, entryDigest: copy.digest)
        change.ignoredTagKeys = copy.ignoreTagKeys.sorted()
        change.rule = copy.rule
        change.after?.sourceCluster = copy.sourceCluster
        change.after?.sourceCreateTime = copy.sourceCreateTime.map(Timestamp.format)
        if let rule = copy.rule { change.reasons.append("asked for by rule \(rule)") }
        if let parent { change.dependsOn = [parent] }

        if let target {
            return decideExisting(copy, target: target, record: record, sourceARN: sourceARN, change: change, problem: problem)
        }

        // The target does not exist.
        if let record {
            if record.status == .pending {
                change.reasons.append("an earlier apply recorded this \(record.operation?.rawValue ?? "write") as pending and stopped before the target existed; it will be copied now")
            } else {
                change.reasons.append("the recorded copy \(record.targetARN ?? record.target) no longer exists; it will be copied again")
            }
        }
        if let parent, source.map({ !$0.isAvailable }) ?? true {
            // A chained copy whose upstream is not available yet: apply starts it once it is.
            let upstream = source.map { "is \($0.status)\($0.percentProgress.map { " (\($0)%)" } ?? "")" } ?? "creates"
            change.reasons.append("copies from \(parent.target) in \(parent.region), which another entry \(upstream); starts once it is available")
            if copy.copyTags, case .some(nil) = inherited {
                return problem("source-tags-unknown",
                               "copyTags is on, but the tags of the upstream copy \(parent.target) are not known",
                               fix: "plan against the API, or capture the live state with each snapshot's TagList (`snapcopy capture`)")
            }
            return .change(change)
        }
        guard let source else {
            let region = sourceRegion(of: copy)
            if !live.covers(region) {
                return problem("source-region-unknown",
                               "the live state has no data for \(region), where the source \(copy.source) is",
                               fix: Self.captureFix(region))
            }
            return problem("source-missing", "the source snapshot \(copy.source) does not exist in \(region)",
                           fix: "check the source's identifier or ARN; a source in another region or account must be an ARN")
        }
        let crossRegion = source.region != copy.region
        let crossAccount = source.type.isForeign || (copy.roleAccount.map { $0 != source.account } ?? false)
        if source.hasFailed {
            return problem("source-failed", "the source snapshot \(source.arn) is in status \(source.status)",
                           fix: "choose another source snapshot")
        }
        if source.storageEncrypted {
            if crossAccount && crossRegion {
                return problem("shared-encrypted-cross-region",
                               "the source is an encrypted snapshot shared from account \(source.account); it cannot be copied to another region directly",
                               fix: "copy it within \(source.region) first (with a kmsKeyId of this account), then copy that copy to \(copy.region) as a chained entry")
            }
            if crossAccount && copy.kmsKeyID == nil {
                return problem("kms-key-required",
                               "the source is an encrypted snapshot shared from account \(source.account); copying it requires a KMS key of this account",
                               fix: "set \"kmsKeyId\" on the entry (or in defaults) to a key in \(copy.region)")
            }
            if crossRegion && copy.kmsKeyID == nil {
                return problem("kms-key-required",
                               "the source is encrypted and in \(source.region); a copy to \(copy.region) needs a KMS key there (keys are regional)",
                               fix: "set \"kmsKeyId\" on the entry (or in defaults) to a key in \(copy.region)")
            }
        } else if let key = copy.kmsKeyID {
            return problem("kms-key-unencrypted-source",
                           "the source is not encrypted, and a copy cannot encrypt it; the API rejects kmsKeyId \(key) here",
                           fix: "remove \"kmsKeyId\" from this entry, or, when it comes from defaults.kmsKeyId, set it to null to override defaults.kmsKeyId on this entry; or copy an encrypted snapshot")
        }
        if copy.copyTags, case .some(nil) = inherited {
            return problem("source-tags-unknown",
                           "copyTags is on, but the live state has no tags for the source \(source.arn) (a capture without TagList)",
                           fix: "capture the live state with each snapshot's TagList (`snapcopy capture`), or plan against the API")
        }
        if tags.count > TagRules.maximumCount {
            return problem("tag-count",
                           "the merged tags (\(tags.count), with those copied from the source and snapcopy's ownership tag) exceed the \(TagRules.maximumCount) a snapshot can hold",
                           fix: "turn copyTags off, list fewer tags, or add source tags to defaults.ignoreTagKeys")
        }
        if !source.isAvailable {
            change.action = .wait
            change.reasons.append("the source \(source.identifier) is \(source.status)\(source.percentProgress.map { " (\($0)%)" } ?? ""); the copy starts once it is available")
            return .change(change)
        }
        change.reasons.append(crossRegion ? "copy from \(source.region) to \(copy.region)" : "copy within \(copy.region)")
        if crossAccount { change.reasons.append("the source is shared from account \(source.account)") }
        return .change(change)
    }

    /// How to get the live state of `region` into an offline plan.
    static func captureFix(_ region: String) -> String {
        "capture \(region) too (`snapcopy capture --region \(region) --out DIR`, or `aws neptune describe-db-cluster-snapshots --region \(region) --output json > \(region).json`) and pass it with --live-state, or plan against the API"
    }

    private func decideExisting(
        _ copy: DesiredCopy, target: LiveSnapshot, record: LockRecord?, sourceARN: String?, change: PlannedChange,
        problem: (String, String, String) -> Decision
    ) -> Decision {
        var change = change
        let ownershipTag = target.tags?[TagRules.ownershipKey]
        change.before = SnapshotState(live: target, sourceARN: target.sourceARN ?? ownershipTag ?? record?.sourceARN)
        let isOurs = ownershipTag != nil || record != nil
        change.ownsTarget = isOurs
        let unseenTags = target.tags == nil ? " (the live state has no tags for it, so an ownership tag could not be seen)" : ""
        guard let origin = target.sourceARN ?? ownershipTag ?? record?.sourceARN else {
            return problem("target-conflict",
                           "\(target.identifier) already exists in \(copy.region) and nothing shows snapcopy made it (no source ARN from the API, no \(TagRules.ownershipKey) tag, no lock record)\(unseenTags); snapcopy never touches snapshots it does not own",
                           "choose another target identifier, delete the snapshot, or tag it \(TagRules.ownershipKey)=<source ARN> to let snapcopy adopt it")
        }
        let sameSource = Self.sameSnapshot(origin, sourceARN, reference: copy.source)
        if !sameSource {
            if !isOurs {
                return problem("target-conflict",
                               "\(target.identifier) already exists in \(copy.region) but was copied from \(origin), not from \(copy.source); it is not snapcopy's",
                               "choose another target identifier for this copy")
            }
            change.action = .replace
            change.reasons.append("the source changed from \(origin) to \(sourceARN ?? copy.source.description); a snapshot's source cannot change")
            return .change(change)
        }
        if let desiredKey = copy.kmsKeyID, let liveKey = target.kmsKeyID {
            switch KMSKeyReference.matches(desired: desiredKey, live: liveKey) {
            case .some(false):
                if !isOurs {
                    return problem("target-conflict",
                                   "\(target.identifier) already exists but is encrypted with \(liveKey), not \(desiredKey); it is not snapcopy's",
                                   "choose another target identifier for this copy")
                }
                change.action = .replace
                change.reasons.append("the KMS key changed from \(liveKey) to \(desiredKey); a snapshot's key cannot change")
                return .change(change)
            case .none:
                if record?.kmsKeyID != desiredKey {
                    change.reasons.append("the alias \(desiredKey) cannot be compared with the live key \(liveKey) offline; assumed to match")
                }
            case .some(true):
                break
            }
        }
        if target.hasFailed {
            if !isOurs {
                return problem("target-conflict", "\(target.identifier) exists in status \(target.status) and is not snapcopy's",
                               "delete it or choose another target identifier")
            }
            change.action = .replace
            change.reasons.append("the copy ended in status \(target.status); it will be deleted and copied again")
            return .change(change)
        }
        if !target.isAvailable {
            change.action = .wait
            change.reasons.append(target.isInProgress
                ? "the copy is \(target.status)\(target.percentProgress.map { " (\($0)%)" } ?? "")"
                : "the target is \(target.status); plan again once it is available or gone")
            return .change(change)
        }
        var desiredTags = change.after?.tags ?? Tags()
        if desiredTags[TagRules.ownershipKey] == nil { desiredTags[TagRules.ownershipKey] = ownershipTag ?? origin }
        change.after?.tags = desiredTags
        if let liveAll = target.tags {
            let ignored = Set(copy.ignoreTagKeys)
            let liveTags = ignored.isEmpty ? liveAll.withoutReservedKeys : liveAll.withoutReservedKeys.filter(keys: { !ignored.contains($0) })
            change.tagChanges = liveTags.changes(to: desiredTags)
        } else {
            change.reasons.append("tags were not compared: the live state has no tags for this snapshot (a capture without TagList)")
        }
        if record == nil {
            if change.tagChanges.isEmpty {
                change.action = .adopt
                change.reasons.append("the snapshot matches this entry and is not yet recorded; it will be recorded with no API call")
            } else {
                change.action = .updateTags
                change.reasons.append("the snapshot matches this entry except for tags and is not yet recorded; tags will be repaired and it will be recorded")
            }
            return .change(change)
        }
        change.action = change.tagChanges.isEmpty ? .noop : .updateTags
        if let record, change.action == .noop, let drift = Self.recordDrift(record, copy) {
            // Nothing to do in the account, but the record must follow the manifest: shown, and applied, as an adoption.
            change.action = .adopt
            change.reasons.append("the entry changed (\(drift)) in ways that need no API call; its lock record will be updated")
        }
        return .change(change)
    }

    /// A recorded copy whose entry left the manifests.
    func departed(_ record: LockRecord) -> Decision {
        var change = PlannedChange(action: .forget, region: record.region, target: record.target, source: record.sourceARN)
        if record.deletionPolicy == .delete && !live.covers(record.region) {
            return .problem(PlanProblem(
                rule: "region-not-described", region: record.region, target: record.target, source: record.sourceARN,
                message: "the lock file records this copy (deletionPolicy delete) in \(record.region), and its entry left the manifests, but the live state has no data for \(record.region); snapcopy cannot tell whether to delete it",
                fix: Self.captureFix(record.region), location: nil))
        }
        let target = live.snapshot(region: record.region, identifier: record.target, account: record.targetARN.flatMap { SnapshotARN($0)?.account })
        change.ownsTarget = true
        if let target {
            change.before = SnapshotState(live: target, sourceARN: record.sourceARN)
            change.before?.roleARN = record.roleARN
        }
        switch record.deletionPolicy {
        case .retain:
            change.reasons.append("the entry left the manifests and its deletion policy is retain: the record is dropped and the snapshot kept")
        case .delete:
            if target != nil {
                change.action = .delete
                change.reasons.append("the entry left the manifests and its deletion policy is delete")
            } else {
                change.reasons.append("the entry left the manifests and the snapshot is already gone: the record is dropped")
            }
        }
        return .change(change)
    }

    /// A copy of `rule` that falls out of its retention: deleted only when its live tags confirm
    /// the rule made it (its `snapcopy:rule` and `snapcopy:source` tags); otherwise forgotten, and
    /// the snapshot kept.
    func released(_ record: LockRecord, by rule: CopyRule, because reason: String) -> PlannedChange {
        var change = PlannedChange(action: .forget, region: record.region, target: record.target, source: record.sourceARN)
        change.rule = rule.name
        change.ownsTarget = true
        let target = live.snapshot(region: record.region, identifier: record.target, account: record.targetARN.flatMap { SnapshotARN($0)?.account })
        guard let target else {
            change.reasons.append("\(reason); the copy is already gone: the record is dropped")
            return change
        }
        change.before = SnapshotState(live: target, sourceARN: record.sourceARN)
        change.before?.roleARN = record.roleARN
        let confirmed = target.tags?[CopyRule.ruleTagKey] == rule.name && target.tags?[TagRules.ownershipKey] == record.sourceARN
        if confirmed && !target.type.isForeign {
            change.action = .delete
            change.reasons.append(reason)
        } else {
            change.reasons.append("\(reason); not deleted: its tags do not confirm rule \(rule.name) made it (\(CopyRule.ruleTagKey) and \(TagRules.ownershipKey)\(target.tags == nil ? " are not in the live state" : "")), so the record is dropped and the snapshot kept")
        }
        return change
    }

    /// What differs between a record and its entry that only the lock file holds, or nil.
    static func recordDrift(_ record: LockRecord, _ copy: DesiredCopy) -> String? {
        var fields: [String] = []
        if record.deletionPolicy != copy.deletionPolicy { fields.append("deletionPolicy \(record.deletionPolicy.rawValue) → \(copy.deletionPolicy.rawValue)") }
        if record.copyTags != copy.copyTags { fields.append("copyTags \(record.copyTags) → \(copy.copyTags)") }
        if record.roleARN != copy.roleARN { fields.append("roleArn") }
        if fields.isEmpty && !record.entryDigest.isEmpty && record.entryDigest != copy.digest { fields.append("entry digest") }
        return fields.isEmpty ? nil : fields.joined(separator: ", ")
    }

    // MARK: - Lookups

    func sourceSnapshot(of copy: DesiredCopy) -> LiveSnapshot? {
        switch copy.source {
        case .arn(let arn): live.snapshot(arn: arn)
        case .identifier(let id): live.snapshot(region: copy.region, identifier: id, account: copy.roleAccount)
        }
    }

    func targetSnapshot(of copy: DesiredCopy) -> LiveSnapshot? {
        let account = copy.roleAccount
        return live.firstSnapshot(region: copy.region, identifier: copy.target) { !$0.type.isForeign && (account == nil || $0.account == account) }
    }

    func sourceRegion(of copy: DesiredCopy) -> String {
        if case .arn(let arn) = copy.source { return arn.region }
        return copy.region
    }

    /// The source's ARN when it is not live yet: known when the manifest gives an ARN.
    func sourceARN(of copy: DesiredCopy, parent: CopyIdentity?) -> String? {
        if case .arn(let arn) = copy.source { return arn.description }
        if let parent, let parentCopy = graph.copy(parent), let account = parentCopy.roleAccount ?? copy.roleAccount {
            return SnapshotARN(region: parent.region, account: account, identifier: parentCopy.target).description
        }
        return nil
    }

    /// Whether the origin ARN names the desired source.
    static func sameSnapshot(_ origin: String, _ sourceARN: String?, reference: SnapshotReference) -> Bool {
        if let sourceARN { return origin.lowercasedCheaply == sourceARN.lowercasedCheaply }
        guard let originARN = SnapshotARN(origin) else { return origin.lowercased() == reference.identifier.lowercased() }
        return originARN.identifier.lowercased() == reference.identifier.lowercased()
    }
}

extension Tags {
    mutating func remove(keys: [String]) {
        for key in keys { self[key] = nil }
    }
}
