import Foundation

/// The lock file's journal: it owns the records, the lineage and the serial, and every command
/// that writes the lock file goes through it.
///
/// Write-ahead is enforced here: ``begin(_:at:)`` saves the intent of API writes and throws when
/// it cannot, so the caller never makes a call whose intent is not on disk. ``commit(_:_:at:)``
/// records what came of a call, ``record(_:at:)`` records changes that need no call, and
/// ``save()`` writes what changed (nothing, byte for byte, when nothing did).
public struct Journal: Sendable {
    /// The lock file as the journal holds it now (saved, unless ``hasUnsavedChanges``).
    public private(set) var lock: LockFile
    /// Whether `lock` holds changes not yet saved.
    public private(set) var hasUnsavedChanges = false
    private let store: any LockStore
    /// Each begun write's record as it was before, to restore when the API refused the write.
    private var before: [CopyIdentity: LockRecord?] = [:]
    /// The records changed since the last save, so a store with a journal file appends only those.
    private var changed: Set<CopyIdentity> = []

    /// A journal over `lock` (nil: no lock file yet; one with `newLineage` is created on the first save).
    public init(lock: LockFile?, store: any LockStore, newLineage: @autoclosure () -> String) {
        self.lock = lock ?? LockFile(lineage: newLineage())
        self.store = store
    }

    /// Where the lock file is.
    public var location: String { store.location }


    // MARK: - Writes

    /// Records the intent of `writes` (pending, with their operation) and saves it.
    /// - Throws: ``JournalError`` when it cannot be saved; the journal is then as it was, and
    ///   none of the calls may be made.
    public mutating func begin(_ writes: [ApplyWrite], at now: Date) throws(JournalError) {
        let wasDirty = hasUnsavedChanges
        var undo: [(CopyIdentity, LockRecord?, hadBefore: Bool)] = []
        for write in writes {
            let existing = lock.record(for: write.identity)
            undo.append((write.identity, existing, before[write.identity] != nil))
            if before[write.identity] == nil { before[write.identity] = .some(existing) }
            if let pending = Self.intent(of: write, existing: existing, at: now) { put(pending) }
        }
        do {
            try save()
        } catch {
            for (identity, previous, hadBefore) in undo.reversed() {
                if let previous { lock.upsert(previous) } else { lock.remove(identity) }
                changed.insert(identity)
                if !hadBefore { before[identity] = nil }
            }
            hasUnsavedChanges = wasDirty
            throw error
        }
    }

    /// Puts `record` in the lock file, noting a change when it differs.
    private mutating func put(_ record: LockRecord) {
        guard lock.record(for: record.identity) != record else { return }
        lock.upsert(record)
        changed.insert(record.identity)
        hasUnsavedChanges = true
    }

    /// Removes the record of `identity`, noting a change when there was one.
    private mutating func drop(_ identity: CopyIdentity) {
        guard lock.record(for: identity) != nil else { return }
        lock.remove(identity)
        changed.insert(identity)
        hasUnsavedChanges = true
    }

    /// Records what came of `write` (in memory; ``save()`` writes it).
    ///
    /// A definite refusal abandons the intent: the record is as it was before ``begin(_:at:)``.
    /// An unknown outcome (a lost response) leaves the pending record, from which the next plan
    /// converges.
    public mutating func commit(_ write: ApplyWrite, _ outcome: WriteOutcome, at now: Date) {
        let identity = write.identity
        let snapshot: LiveSnapshot?
        switch outcome {
        case .succeeded(let answer):
            snapshot = answer
        case .failed(let error) where error.kind == .notFound && write.kind.isDeletion:
            snapshot = nil  // already gone: what the deletion wanted
        case .failed(let error):
            if error.isDefiniteRefusal { abandon(write) }
            return
        }
        defer { before[identity] = nil }
        switch write.kind {
        case .copy:
            // Without an answer there is nothing to record: the pending record stays.
            guard let snapshot, var record = lock.record(for: identity) else { return }
            record.operation = nil
            record.status = .copying
            record.percentProgress = nil
            put(record.observing(snapshot, at: now))
        case .deleteForReplacement:
            break  // the pending replace stays until the new copy starts
        case .updateTags:
            var record = LockRecord.make(for: write.change, existing: lock.record(for: identity), status: .available, operation: nil)
            record.operation = nil
            put(record.observing(write.change.before))
        case .repairTags:
            guard var record = lock.record(for: identity) else { return }
            record.operation = nil
            record.status = (before[identity] ?? nil)?.status ?? .available
            put(record)
        case .delete, .cancel:
            drop(identity)
        }
    }

    /// The record `write` leaves before its call, or nil when it leaves none.
    private static func intent(of write: ApplyWrite, existing: LockRecord?, at now: Date) -> LockRecord? {
        switch write.kind {
        case .copy(let request):
            var pending = LockRecord.make(for: write.change, existing: existing, status: .pending, operation: .create)
            pending.tags = request.tags
            pending.sourceARN = request.sourceARN ?? pending.sourceARN
            pending.targetARN = nil
            pending.startedAt = Timestamp.format(now)
            pending.completedAt = nil
            pending.percentProgress = nil
            pending.snapshotCreateTime = nil
            pending.observedAt = nil
            pending.progressSince = nil
            return pending
        case .deleteForReplacement:
            return LockRecord.make(for: write.change, existing: existing, status: .pending, operation: .replace)
        case .updateTags:
            return LockRecord.make(for: write.change, existing: existing, status: .pending, operation: .updateTags)
                .observing(write.change.before)
        case .repairTags, .delete, .cancel:
            guard var pending = existing else { return nil }
            pending.status = .pending
            pending.operation = { if case .repairTags = write.kind { return .updateTags } else { return .delete } }()
            return pending
        }
    }

    /// Withdraws the intent of `write`, whose call was not made or was refused: its record is as it
    /// was before ``begin(_:at:)`` (in memory; ``save()`` writes it).
    public mutating func abandon(_ write: ApplyWrite) {
        let identity = write.identity
        switch before[identity] {
        case .some(.some(let previous)): put(previous)
        case .some(.none): drop(identity)
        case .none: break
        }
        before[identity] = nil
    }

    // MARK: - Changes without a call

    /// A change of the lock file that needs no API call.
    public enum RecordChange: Sendable, Hashable {
        /// Record a copy that exists and matches its entry.
        case adopt(PlannedChange)
        /// Drop the record of a copy whose entry left the manifests (the snapshot is kept).
        case forget(CopyIdentity)
        /// Bring a record up to date with its entry and live target.
        case refresh(PlannedChange)
        /// A copy was seen in this state.
        case observe(CopyIdentity, LiveSnapshot)
        /// Copies still in progress were seen at this time (kept once, at the end of a run).
        case stillInProgress([CopyIdentity])
    }

    /// Applies `changes` in memory; ``save()`` writes them.
    public mutating func record(_ changes: [RecordChange], at now: Date) {
        for change in changes {
            switch change {
            case .adopt(let planned):
                var record = LockRecord.make(for: planned, existing: lock.record(for: planned.identity), status: .available, operation: nil)
                    .observing(planned.before)
                record.operation = nil
                put(record)
            case .forget(let identity):
                drop(identity)
            case .refresh(let planned):
                // A pending write an earlier run left behind whose result is there now is settled too.
                guard let existing = lock.record(for: planned.identity), planned.before != nil else { continue }
                var record = LockRecord.make(for: planned, existing: existing, status: .available, operation: nil)
                    .observing(planned.before)
                record.operation = nil
                if record != existing { put(record) }
            case .observe(let identity, let snapshot):
                guard let existing = lock.record(for: identity) else { continue }
                let record = existing.observing(snapshot, at: now)
                if record != existing { put(record) }
            case .stillInProgress(let identities):
                for identity in identities {
                    guard var record = lock.record(for: identity), record.status == .copying else { continue }
                    record.observedAt = Timestamp.format(now)
                    if record.progressSince == nil { record.progressSince = record.observedAt }
                    put(record)
                }
            }
        }
    }

    // MARK: - Saving

    /// Writes the lock file when its records changed since the last save, incrementing the serial
    /// (a store with a journal file appends the changed records to it).
    /// - Throws: ``JournalError`` when it cannot; the changes stay held for the next save.
    public mutating func save() throws(JournalError) {
        guard hasUnsavedChanges else { return }
        lock.serial += 1
        do {
            try store.save(lock, changed: changed)
        } catch let error as JournalError {
            lock.serial -= 1
            throw error
        } catch {
            lock.serial -= 1
            throw JournalError(location: store.location, detail: "\(error)")
        }
        hasUnsavedChanges = false
        changed = []
    }

    /// Saves what changed, then folds the store's journal file into the lock file: at the end of a
    /// run, so that what is left on disk is the lock file alone.
    /// - Throws: ``JournalError`` when it cannot; what was saved stays in the journal file, from
    ///   which the next read recovers it.
    public mutating func checkpoint() throws(JournalError) {
        try save()
        do {
            try store.checkpoint(lock)
        } catch let error as JournalError {
            throw error
        } catch {
            throw JournalError(location: store.location, detail: "\(error)")
        }
    }
}
