extension Plan {
    /// Why this saved plan no longer matches `current`, a plan made now from the same manifests,
    /// the lock file and live state; empty when it still holds.
    ///
    /// Progress of copies in flight and the wording of reasons do not count; everything apply acts
    /// on does (actions, targets, sources, keys, tags, and the live targets they were based on).
    public func staleness(against current: Plan) -> [String] {
        var reasons: [String] = []
        if inputs.lockLineage == nil, let lineage = current.inputs.lockLineage {
            reasons.append("the lock file was created since the plan was made (lineage \(lineage), serial \(current.inputs.lockSerial.map(String.init) ?? "0"))")
        } else if inputs.lockLineage != current.inputs.lockLineage {
            reasons.append("the lock file's lineage changed (\(inputs.lockLineage ?? "none") → \(current.inputs.lockLineage ?? "none")): it is another lock file")
        } else if inputs.lockSerial != current.inputs.lockSerial {
            reasons.append("the lock file was written since the plan was made (serial \(inputs.lockSerial.map(String.init) ?? "none") → \(current.inputs.lockSerial.map(String.init) ?? "none"))")
        }
        if inputs.manifestDigest != current.inputs.manifestDigest {
            reasons.append("the manifests changed since the plan was made")
        }
        let saved = Dictionary(changes.map { ($0.identity, $0) }, uniquingKeysWith: { a, _ in a })
        let now = Dictionary(current.changes.map { ($0.identity, $0) }, uniquingKeysWith: { a, _ in a })
        for identity in Set(saved.keys).union(now.keys).sorted() {
            switch (saved[identity], now[identity]) {
            case (let old?, let new?):
                if old.action != new.action {
                    reasons.append("\(identity): the plan says \(old.action.rawValue), live state now needs \(new.action.rawValue)")
                } else if old.fingerprint != new.fingerprint {
                    reasons.append("\(identity): the live target is no longer what the plan saw")
                }
            case (let old?, nil):
                reasons.append("\(identity): the plan says \(old.action.rawValue), but the entry is no longer planned")
            case (nil, let new?):
                reasons.append("\(identity): a new \(new.action.rawValue) is needed that the plan does not have")
            case (nil, nil):
                break
            }
        }
        if problems.count != current.problems.count {
            reasons.append("the number of blocked entries changed (\(problems.count) → \(current.problems.count))")
        }
        return reasons
    }
}

extension PlannedChange {
    /// What apply depends on, without progress figures or reasons.
    var fingerprint: [String] {
        let before = self.before.map { state in
            [state.arn ?? "", state.sourceARN ?? "", state.kmsKeyID ?? "", state.status?.isAvailable == true ? "available" : "busy"]
                + (state.tags?.sorted ?? []).map { "\($0.key)=\($0.value)" }
        } ?? ["absent"]
        let after = self.after.map { state in
            [state.sourceARN ?? "", state.kmsKeyID ?? "", "\(state.copyTags ?? false)", state.deletionPolicy?.rawValue ?? "", state.roleARN ?? ""]
                + (state.tags?.sorted ?? []).map { "\($0.key)=\($0.value)" }
        } ?? ["none"]
        return [action.rawValue, source] + before + ["→"] + after + tagChanges.map { "\($0.key):\($0.before ?? "")>\($0.after ?? "")" }
    }
}
