import Foundation

extension Applier {
    /// Actions that finish without waiting: records, tag changes and deletions, in waves.
    func runImmediate(_ changes: [PlannedChange]) async {
        var index = 0
        while index < changes.count {
            if environment.isInterrupted { result.interrupted = true; return }
            let wave = Array(changes[index..<min(changes.count, index + options.parallelism)])
            index += wave.count
            // Intent first: every write call of the wave is journaled before any is made.
            for change in wave {
                switch change.action {
                case .updateTags: lock.upsert(record(for: change, status: .pending, operation: .updateTags).keepingStatus(of: change))
                case .delete:
                    if var existing = lock.record(for: change.identity) {
                        existing.status = .pending
                        existing.operation = .delete
                        lock.upsert(existing)
                    }
                case .noop, .wait, .adopt, .forget, .create, .replace: break
                }
            }
            persist()
            let outcomes = await withTaskGroup(of: (Int, Outcome).self) { group in
                for (position, change) in wave.enumerated() {
                    let service = self.service
                    let scope = self.scope(of: change)
                    group.addTask { (position, await Self.perform(change, scope: scope, service: service)) }
                }
                var outcomes = [Outcome](repeating: .done, count: wave.count)
                for await (position, outcome) in group { outcomes[position] = outcome }
                return outcomes
            }
            for (change, outcome) in zip(wave, outcomes) { settle(change, outcome) }
            persist()
        }
    }

    enum Outcome: Sendable {
        case done
        case gone
        case failed(String)
    }

    /// The API calls of one immediate change.
    static func perform(_ change: PlannedChange, scope: AccountScope, service: any SnapshotService) async -> Outcome {
        do {
            switch change.action {
            case .updateTags:
                guard let arn = change.before?.arn else { return .failed("the target's ARN is unknown") }
                let removed = change.tagChanges.filter { $0.kind == .remove }.map(\.key)
                var added = Tags()
                for tag in change.tagChanges where tag.kind != .remove { added[tag.key] = tag.after }
                if !removed.isEmpty { try await service.removeTags(removed, from: arn, in: scope) }
                if !added.isEmpty { try await service.addTags(added, to: arn, in: scope) }
                return .done
            case .delete:
                do {
                    try await service.deleteSnapshot(identifier: change.before?.identifier ?? change.target, in: scope)
                } catch let error as SnapshotServiceError where error.kind == .notFound {
                    return .gone
                }
                return .done
            case .noop, .wait, .adopt, .forget, .create, .replace:
                return .done
            }
        } catch {
            return .failed("\(error)")
        }
    }

    /// Records the outcome of one immediate change.
    func settle(_ change: PlannedChange, _ outcome: Outcome) {
        let identity = change.identity
        switch (change.action, outcome) {
        case (_, .failed(let message)):
            if change.action == .updateTags, let previous = persistedRecordBefore(identity) {
                lock.upsert(previous)
            } else if change.action == .updateTags {
                lock.remove(identity)
            } else if change.action == .delete, var existing = lock.record(for: identity) {
                existing.status = .available
                existing.operation = nil
                lock.upsert(existing)
            }
            fail(identity, "\(change.action.rawValue) failed: \(message)")
        case (.updateTags, _):
            var updated = record(for: change, status: .available, operation: nil).keepingStatus(of: change)
            updated.operation = nil
            lock.upsert(updated)
            result.tagsUpdated += 1
            environment.report(.completed(identity, .updateTags))
        case (.delete, _):
            lock.remove(identity)
            result.deleted += 1
            environment.report(.completed(identity, .delete))
        case (.forget, _):
            lock.remove(identity)
            result.forgotten += 1
            environment.report(.completed(identity, .forget))
        case (.adopt, _):
            lock.upsert(record(for: change, status: .available, operation: nil).keepingStatus(of: change))
            result.adopted += 1
            environment.report(.completed(identity, .adopt))
        case (.noop, _):
            refresh(change)
            result.unchanged += 1
        case (.wait, _):
            refresh(change)
            if let before = change.before, let arn = before.arn, before.status == "copying" || before.status == "creating",
               lock.record(for: identity) != nil || before.tags[TagRules.ownershipKey] != nil {
                // A copy of ours still in progress (started by an earlier run): follow it to the end.
                copies[identity] = CopyProgress(change: change, scope: scope(of: change), arn: arn, startedAt: environment.now(),
                                                percent: before.percentProgress)
            } else if change.before == nil {
                environment.report(.note("\(change.target) (\(change.region)): \(change.reasons.first ?? "waiting")"))
            }
        case (.create, _), (.replace, _):
            break
        }
    }

    /// Brings an existing record up to date with the live target, without touching unchanged fields.
    func refresh(_ change: PlannedChange) {
        guard lock.record(for: change.identity) != nil, change.before != nil else { return }
        let refreshed = record(for: change, status: .available, operation: nil).keepingStatus(of: change)
        lock.upsert(refreshed)
    }

    func persistedRecordBefore(_ identity: CopyIdentity) -> LockRecord? {
        persistedRecords.first { $0.identity == identity && $0.operation == nil }
    }
}

extension LockRecord {
    /// This record with status, progress, ARN and creation time taken from the live target of `change`.
    func keepingStatus(of change: PlannedChange) -> LockRecord {
        guard let before = change.before else { return self }
        var record = self
        record.targetARN = before.arn ?? targetARN
        switch before.status {
        case "available": record.status = operation == nil ? .available : .pending
        case "copying", "creating": record.status = operation == nil ? .copying : .pending
        default: break
        }
        record.percentProgress = before.percentProgress ?? percentProgress
        record.snapshotCreateTime = snapshotCreateTime ?? before.createTime
        return record
    }
}
