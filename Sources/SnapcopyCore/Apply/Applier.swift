import Foundation

/// Makes live state match a plan: performs what ``ApplyScheduler`` decides and feeds back what happened.
///
/// Every write goes through the ``Journal``: its intent is saved before the call (a write whose
/// intent cannot be saved is not made) and its outcome after it. A crash at any moment therefore
/// leaves a lock file from which the next plan converges: a pending create whose target exists
/// (with snapcopy's ownership tag) is adopted, one whose target does not exist is copied, and no
/// record is lost.
public struct Applier: Sendable {
    let service: any SnapshotService
    let environment: any ApplyEnvironment
    let options: ApplyOptions

    public init(service: any SnapshotService, environment: any ApplyEnvironment, options: ApplyOptions) {
        self.service = service
        self.environment = environment
        self.options = options
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

    /// Applies `plan`, whose `before` states describe `live`, journaling in `journal`.
    public func apply(_ plan: Plan, live: LiveState, journal: inout Journal) async -> ApplyResult {
        var scheduler = ApplyScheduler(plan: plan, live: live, options: options, now: environment.now())
        var isInterruptFed = environment.isInterrupted
        var actions = scheduler.start(at: environment.now(), interrupted: isInterruptFed)
        let service = self.service
        let environment = self.environment
        var result = await withTaskGroup(of: ApplyScheduler.Event.self) { group -> ApplyResult in
            var events: [ApplyScheduler.Event] = []
            var saveFailed = false
            while true {
                for action in actions {
                    switch action {
                    case .perform(let writes):
                        do throws(JournalError) {
                            try journal.begin(writes, at: environment.now())
                        } catch {
                            events.append(.journalFailed(writes, error))
                            continue
                        }
                        for write in writes {
                            group.addTask { .wrote(write, await service.perform(write)) }
                        }
                    case .record(let changes):
                        // Saved with the next intent, or after these actions: no write waits on it.
                        journal.record(changes, at: environment.now())
                    case .list(let scope):
                        group.addTask {
                            do {
                                return .listed(scope, .success(try await service.listSnapshots(in: scope, includeShared: false)))
                            } catch {
                                return .listed(scope, .failure(SnapshotServiceError(error)))
                            }
                        }
                    case .readTags(let identity, let arn, let scope):
                        group.addTask {
                            do {
                                return .tagsRead(identity, .success(try await service.tags(of: arn, in: scope)))
                            } catch {
                                return .tagsRead(identity, .failure(SnapshotServiceError(error)))
                            }
                        }
                    case .sleep(let deadline):
                        group.addTask {
                            await environment.sleep(until: deadline)
                            return .woke
                        }
                    case .report(let event):
                        environment.report(event)
                    case .finish(let result):
                        return result
                    }
                }
                // What came of the writes is saved before waiting for the next answer; when the
                // actions above began writes, their intent's save already carried it (one save
                // where there were two: each save writes the whole file).
                // A failed save stops apply; it is reported once (the final checkpoint tries again),
                // not on every turn of this loop.
                if journal.hasUnsavedChanges, !saveFailed, let failure = Self.save(&journal) {
                    saveFailed = true
                    events.append(failure)
                }
                let event: ApplyScheduler.Event
                if !events.isEmpty {
                    event = events.removeFirst()
                } else if let next = await group.next() {
                    event = next
                } else {
                    var stalled = ApplyResult()
                    stalled.failures.append(.init(identity: CopyIdentity(region: "-", target: "apply"),
                                                  message: "internal error: apply stopped with nothing left to wait for; run it again"))
                    return stalled
                }
                actions = []
                if environment.isInterrupted && !isInterruptFed {
                    isInterruptFed = true
                    actions += scheduler.handle(.interrupted, at: environment.now())
                }
                if case .wrote(let write, let outcome) = event {
                    journal.commit(write, outcome, at: environment.now())
                }
                actions += scheduler.handle(event, at: environment.now())
            }
        }
        // What changed is saved, and a journal file the store kept is folded into the lock file.
        do throws(JournalError) {
            try journal.checkpoint()
        } catch {
            result.failures.append(.init(identity: CopyIdentity(region: "-", target: error.location),
                                         message: "\(error.description); it still holds the intent of the writes above, from which the next apply converges\n  fix: \(error.fix)"))
        }
        return result
    }

    /// Saves the journal; a failure becomes the event that stops apply.
    private static func save(_ journal: inout Journal) -> ApplyScheduler.Event? {
        do throws(JournalError) {
            try journal.save()
            return nil
        } catch {
            return .journalFailed([], error)
        }
    }
}

extension SnapshotServiceError {
    /// `error` as a service error (an unclassified one when it is something else).
    public init(_ error: any Error) {
        if let error = error as? SnapshotServiceError {
            self = error
        } else {
            self.init(.other, "\(error)")
        }
    }
}
