import Foundation

extension ApplyScheduler {
    /// What follows a write's answer.
    mutating func wrote(_ write: ApplyWrite, _ outcome: WriteOutcome, at now: Date) -> [Action] {
        var actions: [Action] = []
        let identity = write.identity
        guard var entry = entries[identity] else { return actions }
        switch (write.kind, outcome) {
        case (.copy, .succeeded(let snapshot)):
            guard let snapshot else {
                scopes[write.scope]?.ours.remove(identity)
                fail(identity, "the copy call returned no snapshot; the next plan or apply will find out whether it was made", into: &actions)
                return actions
            }
            if entry.change.action == .replace { result.replaced += 1 } else { result.created += 1 }
            entry.arn = snapshot.arn.description
            entry.percent = snapshot.percentProgress
            entry.since = now
            entry.phase = .copying
            entry.reportedTags = snapshot.tags
            ticks += 1
            entry.existsSince = ticks
            entries[identity] = entry
            actions.append(.report(.copyStarted(identity, arn: snapshot.arn.description)))
            actions += observe(identity, snapshot, at: now)
        case (.copy, .failed(let error)) where error.kind == .quotaExceeded:
            // Definitely not started. Either the in-flight limit (wait for a slot) or the account's
            // snapshot quota (nothing more can start here): the same error code, told apart below.
            scopes[write.scope]?.ours.remove(identity)
            entry.phase = .queued
            entries[identity] = entry
            var scope = scopes.removeValue(forKey: write.scope)
            scope?.queue.append(identity)  // next again
            if let inFlight = scope?.inFlight, inFlight > 0 {
                scope?.learnedLimit = inFlight
                if scope?.reportedWaiting == false {
                    scope?.reportedWaiting = true
                    actions.append(.report(.waitingForSlot(write.scope, inflight: inFlight)))
                }
            } else {
                scope?.quota = .checking
            }
            scopes[write.scope] = scope
        case (.copy, .failed(let error)):
            scopes[write.scope]?.ours.remove(identity)
            let message: String
            switch error.kind {
            case .alreadyExists:
                message = "the copy could not be started: \(error.message) (it was made since the plan; run plan again to see it)"
            case _ where error.isDefiniteRefusal:
                message = "the copy could not be started: \(error.message)"
            default:
                message = "the copy's outcome is unknown (\(error.message)); the next plan or apply will find out, and will not copy it twice"
            }
            fail(identity, message, into: &actions)
        case (.deleteForReplacement, .succeeded):
            entry.phase = .awaitingOldGone
            entries[identity] = entry
            scopes[write.scope]?.awaitingGone.insert(identity)
            actions.append(.report(.started(identity, .replace)))
        case (.deleteForReplacement, .failed(let error)) where error.kind == .notFound:
            entry.phase = .queued
            entries[identity] = entry
            enqueue(identity)
        case (.deleteForReplacement, .failed(let error)):
            fail(identity, "replace failed: the old target could not be deleted: \(error.message)", into: &actions)
        case (.updateTags, .succeeded):
            entry.phase = .done
            entries[identity] = entry
            result.tagsUpdated += 1
            actions.append(.report(.completed(identity, .updateTags)))
        case (.updateTags, .failed(let error)):
            fail(identity, "update-tags failed: \(error.message)", into: &actions)
        case (.repairTags, .succeeded):
            entry.phase = .done
            entries[identity] = entry
        case (.repairTags, .failed(let error)):
            fail(identity, "the copy is available, but adding the tags it arrived without failed: \(error.message); the next apply repairs them", into: &actions)
        case (.delete, .succeeded), (.cancel, .succeeded):
            entry.phase = .done
            entries[identity] = entry
            result.deleted += 1
            actions.append(.report(.completed(identity, .delete)))
        case (.delete, .failed(let error)), (.cancel, .failed(let error)):
            if error.kind == .notFound {
                entry.phase = .done
                entries[identity] = entry
                result.deleted += 1
                actions.append(.report(.completed(identity, .delete)))
            } else {
                fail(identity, "delete failed: \(error.message)", into: &actions)
            }
        }
        return actions
    }

    /// Follows a copy of this run to its next state: progress, available, failed.
    mutating func observe(_ identity: CopyIdentity, _ live: LiveSnapshot, at now: Date) -> [Action] {
        var actions: [Action] = []
        guard var entry = entries[identity], entry.phase == .copying else { return actions }
        actions.append(.record([.observe(identity, live)]))
        if let tags = live.tags { entry.reportedTags = tags }
        if live.isAvailable {
            scopes[entry.scope]?.ours.remove(identity)
            scopes[entry.scope]?.observedInFlight.remove(identity)  // fresher than the last listing
            available[identity] = live.arn.description
            if entry.percent != 100 {
                actions.append(.report(.progress(identity, percent: 100, elapsed: Self.elapsed(from: entry.since, to: now))))
            }
            entry.percent = 100
            if entry.isFollowed { result.finished += 1 }
            actions.append(.report(.completed(identity, entry.change.action == .wait ? .create : entry.change.action)))
            if options.tagVerification != .none, let request = entry.request {
                entry.phase = .verifying
                entries[identity] = entry
                if let reported = entry.reportedTags {
                    // The copy call's answer (or a listing since) showed the tags: verify against
                    // it, with no call of its own.
                    verify(identity, against: reported)
                } else {
                    checkTags(of: identity, kind: TagKind(request, scope: entry.scope))
                }
            } else {
                entry.phase = .done
                entries[identity] = entry
                if entry.request != nil { result.tagsTrusted += 1 }
            }
            release(identity)
        } else if live.hasFailed {
            scopes[entry.scope]?.ours.remove(identity)
            entries[identity] = entry
            fail(identity, "the copy ended in status \(live.status); the next plan replaces it", into: &actions)
        } else if live.percentProgress != entry.percent {
            entry.percent = live.percentProgress
            entries[identity] = entry
            actions.append(.report(.progress(identity, percent: live.percentProgress ?? 0, elapsed: Self.elapsed(from: entry.since, to: now))))
        } else {
            entries[identity] = entry
        }
        return actions
    }

    /// What follows a listing of `key`.
    mutating func listed(_ key: AccountScope, _ listing: Result<[LiveSnapshot], SnapshotServiceError>, at now: Date) -> [Action] {
        var actions: [Action] = []
        let snapshots: [LiveSnapshot]
        switch listing {
        case .success(let listed):
            snapshots = listed.filter { $0.isNeptune && !$0.type.isForeign }
        case .failure(let error):
            if error.kind == .accessDenied {
                scopes[key]?.unlistable = error.message
                for identity in (scopes[key]?.ours ?? []).sorted() where entries[identity]?.phase == .copying {
                    fail(identity, "cannot follow the copy: listing \(key) was refused (\(error.message)); it continues in AWS, and the next plan or apply picks it up", into: &actions)
                }
            } else {
                actions.append(.report(.note("listing \(key) failed (\(error.message)); trying again in \(ApplyResult.format(options.pollInterval))")))
            }
            return actions
        }
        let byIdentity = Dictionary(snapshots.map { ($0.identity, $0) }, uniquingKeysWith: { first, _ in first })
        scopes[key]?.observedInFlight = Set(snapshots.filter(\.isCopyInFlight).map(\.identity))
        for (identity, snapshot) in byIdentity where snapshot.isAvailable { available[identity] = snapshot.arn.description }

        // Copies of this run. A listing issued before a copy call returned cannot show the copy,
        // and one that misses it once may lag (listings are eventually consistent): a copy is
        // gone only when two listings issued after it existed both miss it.
        let issued = scopes[key]?.listingIssued ?? 0
        for identity in (scopes[key]?.ours ?? []).sorted() where entries[identity]?.phase == .copying {
            if let live = byIdentity[identity] {
                entries[identity]?.missedListings = 0
                actions += observe(identity, live, at: now)
            } else if let entry = entries[identity], entry.existsSince < issued {
                entries[identity]?.missedListings += 1
                guard entry.missedListings + 1 >= 2 else { continue }
                scopes[key]?.ours.remove(identity)
                let percent = entry.percent.map { "at \($0)%" } ?? "in progress"
                fail(identity, "the copy disappeared while \(percent) (deleted or cancelled out of band); the next apply copies it again", into: &actions)
            }
        }
        // Replacements whose old target is gone.
        for identity in (scopes[key]?.awaitingGone ?? []).sorted() where byIdentity[identity] == nil {
            scopes[key]?.awaitingGone.remove(identity)
            entries[identity]?.phase = .queued
            enqueue(identity)
        }
        // Upstream copies that others make (or that became available, failed or vanished).
        for upstream in waitingOn.keys.sorted() where upstreamScope[upstream] == key {
            let state = entries[upstream]?.phase
            if let live = byIdentity[upstream] {
                if live.isAvailable {
                    release(upstream)
                } else if live.hasFailed, state != .copying {
                    failDependents(of: upstream, because: "ended in status \(live.status)", into: &actions)
                }
            } else if state == .idle || state == .done {
                failDependents(of: upstream, because: "does not exist (it was deleted out of band)", into: &actions)
            }
        }
        // A quota refusal with nothing known in flight: the listing tells which quota it was.
        if scopes[key]?.quota == .checking {
            let inFlight = scopes[key]?.inFlight ?? 0
            if inFlight > 0 {
                scopes[key]?.quota = .open
                scopes[key]?.learnedLimit = inFlight
                actions.append(.report(.waitingForSlot(key, inflight: inFlight)))
            } else {
                scopes[key]?.quota = .exhausted
                let manual = snapshots.filter { $0.type == .manual }.count
                for identity in scopes[key]?.queue ?? [] where entries[identity]?.phase == .queued {
                    fail(identity, "not started: the account's manual snapshot quota in \(key.region) is reached (\(manual) manual cluster snapshots there, and no copy in progress); delete snapshots you no longer need, or ask for a higher quota (Service Quotas: Amazon Neptune, manual DB cluster snapshots)", into: &actions)
                }
                scopes[key]?.queue.removeAll()
            }
        }
        return actions
    }

    /// What follows reading a new copy's tags: repair any it arrived without.
    mutating func tagsRead(_ identity: CopyIdentity, _ read: Result<Tags, SnapshotServiceError>) -> [Action] {
        var actions: [Action] = []
        guard let entry = entries[identity], entry.phase == .verifying else { return actions }
        switch read {
        case .success(let live):
            verify(identity, against: live)
        case .failure(let error):
            fail(identity, "the copy is available, but its tags could not be checked (\(error.message)); the next plan compares them", into: &actions)
        }
        if let request = entry.request {
            let kind = TagKind(request, scope: entry.scope)
            if case .reading(let sample, let waiting) = tagSamples[kind], sample == identity {
                let confirmed = entries[identity]?.phase == .done
                tagSamples[kind] = confirmed ? .confirmed : .distrusted
                for other in waiting {
                    if confirmed { trustTags(of: other) } else { verifyQueue.append(other) }
                }
            }
        }
        return actions
    }

    /// Queues the tag read of a new copy, unless an earlier copy of its kind vouches for it
    /// (``TagVerification/sample``) or is being read and will.
    mutating func checkTags(of identity: CopyIdentity, kind: TagKind) {
        guard options.tagVerification == .sample else { return verifyQueue.append(identity) }
        switch tagSamples[kind] {
        case nil:
            tagSamples[kind] = .reading(identity, waiting: [])
            verifyQueue.append(identity)
        case .reading(let sample, var waiting):
            waiting.append(identity)
            tagSamples[kind] = .reading(sample, waiting: waiting)
        case .confirmed:
            trustTags(of: identity)
        case .distrusted:
            verifyQueue.append(identity)
        }
    }

    /// Takes a new copy's tags as made, on the strength of its kind's sample.
    mutating func trustTags(of identity: CopyIdentity) {
        guard var entry = entries[identity], entry.phase == .verifying else { return }
        entry.phase = .done
        entries[identity] = entry
        result.tagsTrusted += 1
    }

    /// Compares a new copy's live tags with those it was created with: done when none is
    /// missing, else the missing ones are queued to be added.
    mutating func verify(_ identity: CopyIdentity, against live: Tags) {
        guard var entry = entries[identity], entry.phase == .verifying else { return }
        result.tagsChecked += 1
        var missing = Tags()
        for (key, value) in entry.request?.tags ?? Tags() where live[key] != value { missing[key] = value }
        if missing.isEmpty {
            entry.phase = .done
        } else {
            entry.repair = missing
            writeQueue.append(identity)
        }
        entries[identity] = entry
    }
}
