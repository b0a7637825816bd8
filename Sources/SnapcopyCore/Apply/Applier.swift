import Foundation

/// Makes live state match a plan, journaling every write in the lock file.
///
/// Before each write call the record is saved as `pending` with its operation; after it, the
/// outcome. A crash at any moment therefore leaves a lock file from which the next plan
/// converges: a pending create whose target exists (with snapcopy's ownership tag) is adopted,
/// one whose target does not exist is retried, and no record is lost.
public actor Applier {
    let service: any SnapshotService
    let environment: any ApplyEnvironment
    let options: ApplyOptions
    var lock: LockFile
    var persistedRecords: [LockRecord]
    var result = ApplyResult()
    /// The ARN of every copy known to be `available`, by identity (for chained copies).
    var available: [CopyIdentity: String] = [:]
    /// Copies in progress that others started, per scope, from the last listing.
    var externalCopying: [AccountScope: Int] = [:]
    var copies: [CopyIdentity: CopyProgress] = [:]
    /// Scopes where the account's snapshot quota (not the in-flight limit) refused a copy.
    var exhaustedScopes: Set<AccountScope> = []

    /// A copy this run started (or found in progress) and follows until it is available.
    struct CopyProgress {
        var change: PlannedChange
        var scope: AccountScope
        var arn: String
        var startedAt: Date
        var percent: Int?
    }

    public init(service: any SnapshotService, environment: any ApplyEnvironment, options: ApplyOptions, lock: LockFile) {
        self.service = service
        self.environment = environment
        self.options = options
        self.lock = lock
        self.persistedRecords = lock.records
    }

    /// Refuses plans apply must not run: entries with errors, or replacements without permission.
    public static func check(_ plan: Plan, options: ApplyOptions) throws(ApplyRefusal) {
        if plan.hasProblems {
            throw ApplyRefusal("the plan has \(plan.problems.count) blocked \(plan.problems.count == 1 ? "entry" : "entries"); fix them first: "
                + plan.problems.map { "\($0.target) (\($0.region)): \($0.message)" }.joined(separator: "; "))
        }
        let replacements = plan.changes.filter(\.requiresReplacement)
        if !replacements.isEmpty && !options.allowReplace {
            throw ApplyRefusal("\(replacements.count) \(replacements.count == 1 ? "copy needs" : "copies need") replacing, which deletes a snapshot: "
                + replacements.map { "\($0.target) (\($0.region)): \($0.reasons.first ?? "")" }.joined(separator: "; ")
                + ". Nothing was changed. Re-run with --allow-replace to delete and copy again")
        }
    }

    /// Applies `plan`, whose `before` states describe `live`. Returns what happened and the final lock file.
    public func apply(_ plan: Plan, live: LiveState) async -> (ApplyResult, LockFile) {
        for snapshot in live.snapshots where snapshot.isAvailable {
            available[CopyIdentity(region: snapshot.region, target: snapshot.identifier)] = snapshot.arn.description
        }
        countExternalCopies(in: live, scopes: Set(plan.changes.map(scope(of:))))

        let immediate = plan.changes.filter { change in
            switch change.action {
            case .noop, .wait, .adopt, .forget, .updateTags, .delete: true
            case .create, .replace: false
            }
        }
        await runImmediate(immediate)
        let copying = plan.changes.filter { $0.action == .create || $0.action == .replace }
        await runCopies(copying)
        persist()
        return (result, lock)
    }

    func scope(of change: PlannedChange) -> AccountScope {
        AccountScope(region: change.region, roleARN: change.after?.roleARN ?? lock.record(for: change.identity)?.roleARN)
    }

    func countExternalCopies(in live: LiveState, scopes: Set<AccountScope>) {
        for scope in scopes {
            let account = scope.roleARN.flatMap { DesiredCopy.account(ofRole: $0) }
            externalCopying[scope] = live.snapshots.filter { snapshot in
                snapshot.region == scope.region && snapshot.status == "copying"
                    && (account == nil || snapshot.account == account)
                    && copies[CopyIdentity(region: snapshot.region, target: snapshot.identifier)] == nil
            }.count
        }
    }

    // MARK: - Journal

    /// Saves the lock file when its records changed since the last save, bumping the serial.
    func persist() {
        guard lock.records != persistedRecords else { return }
        lock.serial += 1
        do {
            try environment.persist(lock)
            persistedRecords = lock.records
        } catch {
            lock.serial -= 1
            result.failures.append(.init(identity: CopyIdentity(region: "-", target: "snapcopy.lock"),
                                         message: "the lock file could not be written: \(error)"))
        }
    }

    var timestamp: String { Timestamp.format(environment.now()) }

    /// The record of `change` as apply will keep it, starting from the existing record.
    func record(for change: PlannedChange, status: LockRecord.Status, operation: LockRecord.Operation?) -> LockRecord {
        let existing = lock.record(for: change.identity)
        let after = change.after
        var record = LockRecord(
            region: change.region, target: change.target, targetARN: existing?.targetARN ?? change.before?.arn,
            sourceARN: after?.sourceARN ?? existing?.sourceARN ?? change.source, kmsKeyID: after?.kmsKeyID ?? existing?.kmsKeyID,
            tags: after?.tags ?? existing?.tags ?? Tags(), copyTags: after?.copyTags ?? existing?.copyTags ?? false,
            deletionPolicy: after?.deletionPolicy ?? existing?.deletionPolicy ?? .retain, roleARN: after?.roleARN ?? existing?.roleARN,
            status: status, operation: operation, percentProgress: existing?.percentProgress,
            snapshotCreateTime: existing?.snapshotCreateTime, startedAt: existing?.startedAt, completedAt: existing?.completedAt,
            entryDigest: change.entryDigest ?? existing?.entryDigest ?? "")
        if let existing { record.target = existing.target }
        return record
    }

    func fail(_ identity: CopyIdentity, _ message: String) {
        result.failures.append(.init(identity: identity, message: message))
        environment.report(.failed(identity, message: message))
    }
}
