import Foundation

extension ApplyScheduler {
    /// Starts what may start now; when nothing is in flight, sleeps until the next listing or finishes.
    mutating func step(at now: Date) -> [Action] {
        guard !isFinished else { return [] }
        var actions: [Action] = []
        if stop == nil, let deadline, now >= deadline, isWaiting {
            stop = .timedOut
            result.timedOut = options.waitTimeout
        }
        if stop == nil {
            var capacity = options.parallelism - callsInFlight
            var writes = immediateWrites(capacity: &capacity)
            writes += copies(capacity: &capacity, reports: &actions)
            if !writes.isEmpty { actions.append(.perform(writes)) }
            actions += verifications(capacity: &capacity)
            actions += listings(capacity: &capacity, at: now)
        }
        guard callsInFlight == 0, !isSleeping, !actions.contains(where: \.isCall) else { return actions }
        if stop == nil, isWaiting, let wake = nextListing {
            isSleeping = true
            actions.append(.sleep(until: deadline.map { min($0, wake) } ?? wake))
        } else {
            actions += finish(at: now)
        }
        return actions
    }

    /// Tag updates, deletions and replacements' deletions, in plan order, within `capacity`.
    mutating func immediateWrites(capacity: inout Int) -> [ApplyWrite] {
        var writes: [ApplyWrite] = []
        while capacity > 0, let identity = writeQueue.removeFirst() {
            guard var entry = entries[identity], entry.phase == .awaitingWrite || entry.phase == .verifying else { continue }
            let change = entry.change
            let kind: ApplyWrite.Kind
            if let repair = entry.repair, let arn = entry.arn {
                kind = .repairTags(arn: arn, add: repair)
                entry.repair = nil
            } else {
                switch change.action {
                case .updateTags:
                    guard let arn = change.before?.arn else {
                        entries[identity] = entry
                        var reports: [Action] = []
                        fail(identity, "update-tags failed: the target's ARN is unknown", into: &reports)
                        continue
                    }
                    let removed = change.tagChanges.filter { $0.kind == .remove }.map(\.key)
                    var added = Tags()
                    for tag in change.tagChanges where tag.kind != .remove { added[tag.key] = tag.after }
                    kind = .updateTags(arn: arn, remove: removed, add: added)
                case .delete:
                    kind = .delete(identifier: change.before?.identifier ?? change.target)
                case .replace:
                    kind = .deleteForReplacement(identifier: change.before?.identifier ?? change.target)
                case .create, .noop, .wait, .adopt, .forget:
                    continue
                }
                entry.phase = .writing
            }
            entries[identity] = entry
            writes.append(ApplyWrite(change: change, scope: entry.scope, kind: kind))
            callsInFlight += 1
            capacity -= 1
        }
        return writes
    }

    /// Copies whose source is available, per scope within its free slots and within `capacity`.
    ///
    /// When `capacity` (the calls allowed at once) is smaller than the free slots of all scopes
    /// together, each next copy goes to the scope with the most copies still queued, so the
    /// regions finish together: taking scopes in a fixed order starved the last one, whose copies
    /// then ran alone at its 5 slots (1,000 copies over 4 regions at 16 calls: 2.2 s instead of 1.3 s).
    mutating func copies(capacity: inout Int, reports: inout [Action]) -> [ApplyWrite] {
        var writes: [ApplyWrite] = []
        var free: [AccountScope: Int] = [:]
        for (key, scope) in scopes where scope.quota == .open && !scope.queue.isEmpty {
            free[key] = limit(of: key) - scope.inFlight
        }
        while capacity > 0 {
            // The scope with a free slot and the longest queue; the first in order among equals.
            var chosen: (key: AccountScope, queued: Int)?
            for (key, slots) in free where slots > 0 {
                let queued = scopes[key]?.queue.count ?? 0
                guard queued > 0 else { continue }
                if let best = chosen, best.queued > queued || (best.queued == queued && best.key < key) { continue }
                chosen = (key, queued)
            }
            guard let key = chosen?.key else { break }
            // Taken out of the dictionary while it changes, so its queue is not copied.
            guard var scope = scopes.removeValue(forKey: key) else { break }
            var started = false
            while !started, let identity = scope.queue.popLast() {
                guard var entry = entries[identity], entry.phase == .queued else { continue }
                let request = CopyRequest(for: entry.change, upstreamARN: entry.change.dependsOn.first.flatMap { available[$0] })
                entry.request = request
                entry.phase = .starting
                entries[identity] = entry
                scope.ours.insert(identity)
                scope.reportedWaiting = false
                writes.append(ApplyWrite(change: entry.change, scope: key, kind: .copy(request)))
                callsInFlight += 1
                capacity -= 1
                free[key, default: 0] -= 1
                started = true
            }
            scopes[key] = scope
        }
        for (key, slots) in free.sorted(by: { $0.key < $1.key }) where slots <= 0 {
            guard var scope = scopes[key], !scope.queue.isEmpty, !scope.reportedWaiting else { continue }
            scope.reportedWaiting = true
            reports.append(.report(.waitingForSlot(key, inflight: scope.inFlight)))
            scopes[key] = scope
        }
        return writes
    }

    /// Tag reads of new copies, within `capacity`.
    mutating func verifications(capacity: inout Int) -> [Action] {
        var actions: [Action] = []
        while capacity > 0, let identity = verifyQueue.removeFirst() {
            guard let entry = entries[identity], entry.phase == .verifying, let arn = entry.arn else { continue }
            actions.append(.readTags(identity, arn: arn, scope: entry.scope))
            callsInFlight += 1
            capacity -= 1
        }
        return actions
    }

    /// Listings of the scopes being watched whose poll interval has passed (at once when a quota must be checked).
    mutating func listings(capacity: inout Int, at now: Date) -> [Action] {
        var actions: [Action] = []
        let interval = Self.seconds(options.pollInterval)
        for key in watchedScopes.sorted() where capacity > 0 {
            guard var scope = scopes[key], !scope.isListing, scope.unlistable == nil else { continue }
            guard scope.quota == .checking || now >= scope.lastListed.addingTimeInterval(interval) else { continue }
            scope.isListing = true
            ticks += 1
            scope.listingIssued = ticks
            scopes[key] = scope
            actions.append(.list(key))
            callsInFlight += 1
            capacity -= 1
        }
        return actions
    }

    /// The scopes whose listings apply waits on.
    var watchedScopes: Set<AccountScope> {
        var watched = Set<AccountScope>()
        for (key, scope) in scopes where scope.unlistable == nil {
            if !scope.awaitingGone.isEmpty || scope.quota == .checking { watched.insert(key) }
            guard options.wait else { continue }
            if scope.ours.contains(where: { entries[$0]?.phase == .copying }) { watched.insert(key) }
            // Copies still queued wait for slots that only a listing can show free: those of copies
            // someone else started, or that a listing last saw in progress. Slots held by this run's
            // copy calls free themselves when the answers come (a copy available at once needs no
            // listing: 10,000 such copies made ~500 needless describe calls).
            if !scope.queue.isEmpty, !scope.observedInFlight.subtracting(scope.ours).isEmpty { watched.insert(key) }
        }
        if options.wait {
            for upstream in waitingOn.keys {
                if let key = upstreamScope[upstream], scopes[key]?.unlistable == nil { watched.insert(key) }
            }
        }
        return watched
    }

    /// Whether anything is left that a later listing could move on.
    var isWaiting: Bool { !watchedScopes.isEmpty }

    /// When the next watched scope is due a listing.
    var nextListing: Date? {
        let interval = Self.seconds(options.pollInterval)
        return watchedScopes.compactMap { scopes[$0]?.lastListed.addingTimeInterval(interval) }.min()
    }

    /// The summary, and the lock-file observation of copies still in progress.
    mutating func finish(at now: Date) -> [Action] {
        isFinished = true
        var actions: [Action] = []
        let ordered = entries.values.sorted { $0.position < $1.position }
        var inProgress: [CopyIdentity] = []
        let failures = Dictionary(result.failures.map { ($0.identity, $0.message) }, uniquingKeysWith: { first, _ in first })
        for entry in ordered {
            let identity = entry.change.identity
            result.entries.append(outcome(of: entry, failure: failures[identity]))
            switch entry.phase {
            case .copying:
                result.stillCopying.append(.init(identity: identity, percent: entry.percent))
                inProgress.append(identity)
            case .queued, .awaitingOldGone, .awaitingWrite:
                let reason: ApplyResult.CopyNotStarted.Reason
                if stop != nil {
                    reason = .stopped
                } else if let upstream = entry.change.dependsOn.first(where: { available[$0] == nil }) {
                    reason = .waitingForSource(upstream)
                } else {
                    reason = .waitingForSlot(entry.scope)
                }
                result.notStarted.append(.init(identity: identity, reason: reason))
            case .idle, .writing, .starting, .verifying, .done, .failed:
                break
            }
        }
        if !inProgress.isEmpty { actions.append(.record([.stillInProgress(inProgress)])) }
        actions.append(.finish(result))
        return actions
    }
}

extension ApplyScheduler {
    /// What became of `entry` when apply finished.
    func outcome(of entry: Entry, failure: String?) -> ApplyResult.EntryOutcome {
        let change = entry.change
        var outcome = ApplyResult.EntryOutcome(region: change.region, target: change.target, action: change.action, outcome: .done,
                                               arn: entry.arn ?? change.before?.arn, percent: nil, message: nil)
        switch entry.phase {
        case .done, .writing, .starting, .verifying:
            outcome.outcome = .done
        case .idle:
            switch change.action {
            case .noop: outcome.outcome = .unchanged
            case .wait:
                outcome.outcome = .waiting
                outcome.message = change.reasons.last
            case .adopt, .forget, .create, .updateTags, .replace, .delete: outcome.outcome = .done
            }
        case .copying:
            outcome.outcome = .copying
            outcome.percent = entry.percent
        case .queued, .awaitingOldGone, .awaitingWrite:
            outcome.outcome = .notStarted
        case .failed:
            outcome.outcome = .failed
            outcome.message = failure
        }
        return outcome
    }
}

extension ApplyScheduler.Action {
    /// Whether the action is an API call (its answer comes back as an event).
    var isCall: Bool {
        switch self {
        case .perform, .list, .readTags: true
        case .record, .sleep, .report, .finish: false
        }
    }
}
