import Foundation

extension Applier {
    /// One create (or the create half of a replace) waiting to start.
    struct PendingCopy {
        var change: PlannedChange
        var scope: AccountScope
        /// For a replace: the old target must be gone before the copy starts.
        var awaitingDeletion = false
    }

    /// Creates and replaces: scheduled per scope within the in-flight limit, chained copies after
    /// their upstream, then (by default) followed until available.
    func runCopies(_ changes: [PlannedChange]) async {
        var queue = changes.map { PendingCopy(change: $0, scope: scope(of: $0)) }
        await startReplacements(&queue)
        var waited: Duration = .zero
        var slotReported = Set<AccountScope>()
        while true {
            if environment.isInterrupted { result.interrupted = true; break }
            let exhausted = queue.filter { exhaustedScopes.contains($0.scope) }
            for item in exhausted {
                fail(item.change.identity, "not attempted: the account's snapshot quota in \(item.scope.region) is reached")
            }
            queue.removeAll { exhaustedScopes.contains($0.scope) }
            let wave = startable(queue)
            if !wave.isEmpty {
                let identities = Set(wave.map(\.change.identity))
                queue.removeAll { identities.contains($0.change.identity) }
                let retry = await start(wave)
                queue.insert(contentsOf: retry, at: 0)
                if retry.count < wave.count { continue }
            }
            let blockedOnSlots = queue.filter { !$0.awaitingDeletion && dependencyReady($0) }
            for item in blockedOnSlots where slotReported.insert(item.scope).inserted {
                environment.report(.waitingForSlot(item.scope, inflight: inflight(in: item.scope)))
            }
            let queued = Set(queue.map(\.change.identity))
            let unstartable = queue.filter { !$0.awaitingDeletion && !dependencyReady($0) && !dependencyCanProgress($0, queued: queued) }
            for item in unstartable {
                fail(item.change.identity, "its source \(item.change.source) never became available (the copy it depends on failed or is not in this plan)")
                lock.remove(item.change.identity)
            }
            queue.removeAll { item in unstartable.contains { $0.change.identity == item.change.identity } }
            let mustPoll = !queue.isEmpty || (options.wait && !copies.isEmpty)
            guard mustPoll else { break }
            if !options.wait && queue.allSatisfy({ !dependencyReady($0) && !$0.awaitingDeletion }) {
                for item in queue {
                    result.notStarted.append(item.change.identity)
                    environment.report(.note("\(item.change.target) (\(item.change.region)) waits for \(item.change.dependsOn.map(\.target).joined(separator: ", ")); run apply again once it is available"))
                }
                break
            }
            if let limit = options.waitTimeout, waited >= limit {
                environment.report(.note("stopped waiting after \(limit); copies continue in AWS and the next plan or apply picks them up"))
                for item in queue { fail(item.change.identity, "not started: gave up waiting after \(limit)") }
                break
            }
            do {
                try await environment.sleep(for: options.pollInterval)
            } catch {
                result.interrupted = true
                break
            }
            waited += options.pollInterval
            await poll(&queue)
        }
        result.stillCopying = copies.keys.sorted()
        for (identity, copy) in copies {
            var record = lock.record(for: identity) ?? self.record(for: copy.change, status: .copying, operation: nil)
            record.status = .copying
            record.percentProgress = copy.percent
            lock.upsert(record)
        }
        persist()
    }

    /// Deletes the old targets of replacements, journaled, before their copies are scheduled.
    func startReplacements(_ queue: inout [PendingCopy]) async {
        let replacements = queue.indices.filter { queue[$0].change.action == .replace }
        guard !replacements.isEmpty else { return }
        for index in replacements {
            lock.upsert(record(for: queue[index].change, status: .pending, operation: .replace))
        }
        persist()
        for index in replacements {
            let change = queue[index].change
            do {
                try await service.deleteSnapshot(identifier: change.before?.identifier ?? change.target, in: queue[index].scope)
                queue[index].awaitingDeletion = true
                environment.report(.started(change.identity, .replace))
            } catch let error as SnapshotServiceError where error.kind == .notFound {
                queue[index].awaitingDeletion = false
            } catch {
                fail(change.identity, "replace failed: the old target could not be deleted: \(error)")
                if let previous = persistedRecordBefore(change.identity) { lock.upsert(previous) }
                queue[index].awaitingDeletion = true
                queue[index].change.action = .noop
            }
        }
        queue.removeAll { $0.change.action == .noop }
        persist()
    }

    func inflight(in scope: AccountScope) -> Int {
        copies.values.filter { $0.scope == scope }.count + (externalCopying[scope] ?? 0)
    }

    func dependencyReady(_ item: PendingCopy) -> Bool {
        item.change.dependsOn.allSatisfy { available[$0] != nil }
    }

    /// Whether a dependency may still become available: it is being copied or waits to start.
    func dependencyCanProgress(_ item: PendingCopy, queued: Set<CopyIdentity>) -> Bool {
        item.change.dependsOn.allSatisfy { dependency in
            if available[dependency] != nil || copies[dependency] != nil || queued.contains(dependency) { return true }
            let failed = result.failures.contains { $0.identity == dependency }
            return !failed && lock.record(for: dependency).map { $0.status != .available } == true
        }
    }

    /// The copies that may start now, within the per-scope limit and the wave width.
    func startable(_ queue: [PendingCopy]) -> [PendingCopy] {
        var used: [AccountScope: Int] = [:]
        var wave: [PendingCopy] = []
        for item in queue where !item.awaitingDeletion && dependencyReady(item) {
            let count = inflight(in: item.scope) + used[item.scope, default: 0]
            guard count < options.maxInflightCopies, wave.count < options.parallelism else { continue }
            used[item.scope, default: 0] += 1
            wave.append(item)
        }
        return wave
    }

    /// Journals and starts one wave of copies; returns those to retry later (quota).
    func start(_ wave: [PendingCopy]) async -> [PendingCopy] {
        var requests: [(PendingCopy, CopyRequest)] = []
        for item in wave {
            let request = await copyRequest(for: item)
            var pending = record(for: item.change, status: .pending, operation: .create)
            pending.tags = request.tags
            pending.sourceARN = SnapshotARN(request.source)?.description ?? pending.sourceARN
            pending.startedAt = timestamp
            pending.completedAt = nil
            pending.targetARN = nil
            pending.percentProgress = nil
            pending.snapshotCreateTime = nil
            lock.upsert(pending)
            requests.append((item, request))
        }
        persist()
        let service = self.service
        let outcomes = await withTaskGroup(of: (Int, Result<LiveSnapshot, any Error>).self) { group in
            for (position, (item, request)) in requests.enumerated() {
                group.addTask {
                    do {
                        let snapshot = try await service.copySnapshot(request, in: item.scope)
                        // Some accounts apply tags late or drop them: make live tags equal the merged set.
                        let live = try await service.tags(of: snapshot.arn.description, in: item.scope)
                        var missing = Tags()
                        for (key, value) in request.tags where live[key] != value { missing[key] = value }
                        if !missing.isEmpty { try await service.addTags(missing, to: snapshot.arn.description, in: item.scope) }
                        return (position, .success(snapshot))
                    } catch {
                        return (position, .failure(error))
                    }
                }
            }
            var outcomes = [Result<LiveSnapshot, any Error>?](repeating: nil, count: requests.count)
            for await (position, outcome) in group { outcomes[position] = outcome }
            return outcomes
        }
        var retry: [PendingCopy] = []
        // Successes first, so a refusal below sees this wave's started copies in `inflight(in:)`
        // whatever order the API answered in.
        let settled = zip(requests, outcomes).enumerated().sorted { lhs, rhs in
            let (left, right) = ((try? lhs.element.1?.get()) != nil, (try? rhs.element.1?.get()) != nil)
            return left != right ? left : lhs.offset < rhs.offset
        }.map(\.element)
        for ((item, _), outcome) in settled {
            let identity = item.change.identity
            switch outcome {
            case .success(let snapshot):
                var started = lock.record(for: identity) ?? record(for: item.change, status: .copying, operation: nil)
                started.operation = nil
                started.targetARN = snapshot.arn.description
                started.percentProgress = snapshot.percentProgress
                started.snapshotCreateTime = snapshot.createTime.map(Timestamp.format)
                if snapshot.isAvailable {
                    started.status = .available
                    started.percentProgress = 100
                    started.completedAt = timestamp
                    available[identity] = snapshot.arn.description
                } else {
                    started.status = .copying
                    copies[identity] = CopyProgress(change: item.change, scope: item.scope, arn: snapshot.arn.description,
                                                    startedAt: environment.now(), percent: snapshot.percentProgress)
                }
                lock.upsert(started)
                if item.change.action == .replace { result.replaced += 1 } else { result.created += 1 }
                environment.report(.copyStarted(identity, arn: snapshot.arn.description))
                if snapshot.isAvailable { environment.report(.completed(identity, item.change.action)) }
            case .failure(let error as SnapshotServiceError) where error.kind == .quotaExceeded && inflight(in: item.scope) > 0:
                // The in-flight limit is lower than assumed: wait for a slot rather than fail.
                lock.remove(identity)
                if let previous = persistedRecordBefore(identity), previous.operation == nil { lock.upsert(previous) }
                retry.append(item)
            case .failure(let error as SnapshotServiceError) where error.kind == .quotaExceeded:
                // Nothing of ours is in flight here, so this is the account's snapshot quota, not the
                // in-flight limit: no other copy to this scope can succeed either.
                if let previous = persistedRecordBefore(identity) { lock.upsert(previous) } else { lock.remove(identity) }
                exhaustedScopes.insert(item.scope)
                fail(identity, "the copy could not be started: \(error.message) (the account's snapshot quota in \(item.scope.region) is reached; delete snapshots or ask AWS for a higher quota)")
            case .failure(let error as SnapshotServiceError) where error.kind != .other && error.kind != .throttled:
                // A definite refusal: the copy was not made.
                if let previous = persistedRecordBefore(identity) { lock.upsert(previous) } else { lock.remove(identity) }
                fail(identity, "the copy could not be started: \(error.message)")
            case .failure(let error):
                // Outcome unknown: keep the pending record; the next plan adopts the copy if it exists, or retries it.
                fail(identity, "the copy's outcome is unknown (\(error)); the next plan or apply will find out")
                _ = error
            case .none:
                fail(identity, "the copy did not report a result")
            }
        }
        persist()
        return retry
    }

    /// The copy request of `item`, with the chained source resolved and the tag set merged.
    func copyRequest(for item: PendingCopy) async -> CopyRequest {
        let change = item.change
        let sourceARN = SnapshotARN(change.source)
        let sourceRegion = sourceARN?.region ?? change.region
        var tags = change.after?.tags ?? Tags()
        var source = change.source
        if let dependency = change.dependsOn.first, let upstreamARN = available[dependency] {
            if sourceARN == nil { source = change.source }
            if tags[TagRules.ownershipKey] == nil { tags[TagRules.ownershipKey] = upstreamARN }
            if change.after?.copyTags == true, let upstreamTags = try? await service.tags(of: upstreamARN, in: AccountScope(region: dependency.region, roleARN: item.scope.roleARN)) {
                var merged = upstreamTags.withoutReservedKeys
                merged[TagRules.ownershipKey] = nil
                merged.merge(tags)
                tags = merged
            }
        }
        return CopyRequest(source: source, sourceRegion: sourceRegion, target: change.target, kmsKeyID: change.after?.kmsKeyID,
                           tags: tags, copyTags: change.after?.copyTags ?? false)
    }

    /// One listing per scope that has copies in progress, deletions pending or dependencies waiting.
    func poll(_ queue: inout [PendingCopy]) async {
        var scopes = Set(copies.values.map(\.scope))
        for item in queue {
            scopes.insert(item.scope)
            for dependency in item.change.dependsOn where available[dependency] == nil {
                scopes.insert(AccountScope(region: dependency.region, roleARN: item.scope.roleARN))
            }
        }
        for scope in scopes.sorted() {
            let listing: [LiveSnapshot]
            do {
                listing = try await service.listSnapshots(in: scope, includeShared: false).filter(\.isNeptune)
            } catch {
                environment.report(.note("listing \(scope) failed (\(error)); will try again"))
                continue
            }
            let byIdentity = Dictionary(listing.map { (CopyIdentity(region: $0.region, target: $0.identifier), $0) }, uniquingKeysWith: { a, _ in a })
            for (identity, snapshot) in byIdentity where snapshot.isAvailable && copies[identity] == nil {
                available[identity] = snapshot.arn.description
            }
            for index in queue.indices where queue[index].scope == scope && queue[index].awaitingDeletion {
                if byIdentity[queue[index].change.identity] == nil { queue[index].awaitingDeletion = false }
            }
            for (identity, copy) in copies where copy.scope == scope {
                update(identity, copy, live: byIdentity[identity])
            }
            externalCopying[scope] = listing.filter { $0.status == "copying" && copies[CopyIdentity(region: $0.region, target: $0.identifier)] == nil }.count
        }
        persist()
    }

    /// Records a followed copy's new state from a listing.
    func update(_ identity: CopyIdentity, _ copy: CopyProgress, live: LiveSnapshot?) {
        guard let live else {
            copies[identity] = nil
            lock.remove(identity)
            fail(identity, "the copy disappeared while \(copy.percent.map { "at \($0)%" } ?? "in progress") (deleted or cancelled by someone else)")
            return
        }
        if live.hasFailed {
            copies[identity] = nil
            fail(identity, "the copy ended in status \(live.status)")
            return
        }
        var record = lock.record(for: identity) ?? self.record(for: copy.change, status: .copying, operation: nil)
        if live.isAvailable {
            copies[identity] = nil
            available[identity] = live.arn.description
            record.status = .available
            record.percentProgress = 100
            record.completedAt = record.completedAt ?? timestamp
            record.snapshotCreateTime = record.snapshotCreateTime ?? live.createTime.map(Timestamp.format)
            lock.upsert(record)
            environment.report(.progress(identity, percent: 100, elapsed: elapsed(since: copy.startedAt)))
            environment.report(.completed(identity, copy.change.action))
            if copy.change.action == .wait || copy.change.action == .noop { result.finished += 1 }
            return
        }
        if live.percentProgress != copy.percent {
            copies[identity]?.percent = live.percentProgress
            record.percentProgress = live.percentProgress
            lock.upsert(record)
            environment.report(.progress(identity, percent: live.percentProgress ?? 0, elapsed: elapsed(since: copy.startedAt)))
        }
    }

    func elapsed(since start: Date) -> Duration {
        .milliseconds(Int64(max(0, environment.now().timeIntervalSince(start)) * 1000))
    }
}
