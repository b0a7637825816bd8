import Foundation

extension LockRecord {
    /// The record of `change` as the manifests define it, keeping what only `existing` knows
    /// (the target's ARN, times, progress): the one place a record is made from a planned change.
    static func make(for change: PlannedChange, existing: LockRecord?, status: Status, operation: Operation?) -> LockRecord {
        let after = change.after
        var record = LockRecord(
            region: change.region, target: change.target, targetARN: existing?.targetARN ?? change.before?.arn,
            sourceARN: after?.sourceARN ?? existing?.sourceARN ?? change.before?.sourceARN ?? change.source,
            kmsKeyID: after?.kmsKeyID ?? existing?.kmsKeyID,
            tags: after?.tags ?? existing?.tags ?? Tags(), copyTags: after?.copyTags ?? existing?.copyTags ?? false,
            deletionPolicy: after?.deletionPolicy ?? existing?.deletionPolicy ?? .retain, roleARN: after?.roleARN ?? existing?.roleARN,
            status: status, operation: operation, percentProgress: existing?.percentProgress,
            snapshotCreateTime: existing?.snapshotCreateTime, startedAt: existing?.startedAt, completedAt: existing?.completedAt,
            observedAt: existing?.observedAt, progressSince: existing?.progressSince,
            entryDigest: change.entryDigest ?? existing?.entryDigest ?? "",
            rule: change.rule ?? existing?.rule, sourceCluster: after?.sourceCluster ?? existing?.sourceCluster,
            sourceCreateTime: after?.sourceCreateTime ?? existing?.sourceCreateTime)
        if let existing { record.target = existing.target }
        return record
    }

    /// This record with status, ARN, progress and creation time taken from the live target `live`.
    func observing(_ live: SnapshotState?) -> LockRecord {
        guard let live else { return self }
        var record = self
        record.targetARN = live.arn ?? targetARN
        switch live.status {
        case .some(let status) where status.isAvailable:
            record.status = operation == nil ? .available : .pending
            record.percentProgress = 100
            record.observedAt = nil
            record.progressSince = nil
        case .some(let status) where status.isInProgress:
            record.status = operation == nil ? .copying : .pending
            record.percentProgress = live.percentProgress ?? percentProgress
        case .some(let status) where status.hasFailed:
            record.status = operation == nil ? .failed : .pending
        case .some, .none:
            break
        }
        record.snapshotCreateTime = snapshotCreateTime ?? live.createTime
        return record
    }

    /// This record after seeing the copy `live` at `now`: status and progress, when progress last
    /// moved, and completion.
    func observing(_ live: LiveSnapshot, at now: Date) -> LockRecord {
        var record = self
        let time = Timestamp.format(now)
        record.targetARN = live.arn.description
        record.snapshotCreateTime = snapshotCreateTime ?? live.createTime.map(Timestamp.format)
        if live.isAvailable {
            record.status = operation == nil ? .available : status
            record.percentProgress = 100
            record.completedAt = completedAt ?? time
            record.observedAt = nil
            record.progressSince = nil
        } else if live.hasFailed {
            record.status = operation == nil ? .failed : status
            record.observedAt = time
        } else if live.percentProgress != percentProgress || record.status != (operation == nil ? .copying : status) {
            record.status = operation == nil ? .copying : status
            record.percentProgress = live.percentProgress
            record.observedAt = time
            record.progressSince = live.percentProgress == percentProgress ? (progressSince ?? time) : time
        }
        return record
    }
}
