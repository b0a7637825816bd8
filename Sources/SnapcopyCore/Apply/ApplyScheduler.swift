import Foundation

/// Decides what apply does next, one event at a time: a pure state machine in the style of
/// async-http-client's connection pool.
///
/// It never performs anything. It is given the plan and the live state it was made from, then
/// fed events (a write finished, a listing came back, the clock woke it, an interrupt), and for
/// each returns the actions to take now: writes to journal and perform, lock-file changes that
/// need no call, listings to make, how long to sleep, progress to report, and at last the summary.
/// ``Applier`` performs them; tests drive it directly, in simulated time.
///
/// What it guarantees: at most ``ApplyOptions/maxInflightCopies`` copies in progress per account
/// and region, counting copies others started (each copy counted once); at most
/// ``ApplyOptions/parallelism`` calls at once; chained copies start once their upstream is
/// available; `SnapshotQuotaExceeded` is told apart (the in-flight limit means waiting for a
/// slot, the account's snapshot quota fails the rest of that region without more calls); after an
/// interrupt or a journal failure nothing new starts and it finishes once the calls in flight return.
public struct ApplyScheduler: Sendable {
    /// What happened.
    public enum Event: Sendable {
        /// A write returned.
        case wrote(ApplyWrite, WriteOutcome)
        /// The intent of these writes could not be saved, so they were not made.
        case journalFailed([ApplyWrite], JournalError)
        /// A listing of one account and region returned.
        case listed(AccountScope, Result<[LiveSnapshot], SnapshotServiceError>)
        /// A new copy's tags were read.
        case tagsRead(CopyIdentity, Result<Tags, SnapshotServiceError>)
        /// A sleep ended.
        case woke
        /// The user asked apply to stop.
        case interrupted
    }

    /// What to do now.
    public enum Action: Sendable, Equatable {
        /// Journal the intent of these writes (all at once), then make the calls concurrently.
        case perform([ApplyWrite])
        /// Change the lock file without an API call.
        case record([Journal.RecordChange])
        /// List every snapshot of this account and region.
        case list(AccountScope)
        /// Read the tags of a new copy.
        case readTags(CopyIdentity, arn: String, scope: AccountScope)
        /// Sleep until this time (nothing else is in flight).
        case sleep(until: Date)
        case report(ApplyEvent)
        /// Apply is over.
        case finish(ApplyResult)
    }

    /// Where one planned change is.
    enum Phase: Sendable, Equatable {
        /// Nothing (more) to do in this run.
        case idle
        /// A tag update, deletion or a replacement's deletion waits for a call.
        case awaitingWrite
        /// That call is in flight.
        case writing
        /// A replacement's old target was deleted and is still listed.
        case awaitingOldGone
        /// A copy waits for its source, a slot or a call.
        case queued
        /// Its copy call is in flight.
        case starting
        /// The copy is in progress; it is followed by listings.
        case copying
        /// The new copy's tags are read or repaired.
        case verifying
        case done
        case failed
    }

    struct Entry: Sendable {
        var change: PlannedChange
        var scope: AccountScope
        var position: Int
        var phase: Phase = .idle
        /// The copy request, once made.
        var request: CopyRequest?
        /// The copy's ARN, once known.
        var arn: String?
        var percent: Int?
        /// When the copy started or was first seen in progress.
        var since: Date?
        /// A copy an earlier run started, followed to the end.
        var isFollowed = false
        /// When (in ``ApplyScheduler/ticks``) the copy was known to exist: its copy call returned,
        /// or the run began. Only a listing issued later can show it gone.
        var existsSince = 0
        /// Listings issued after ``existsSince`` that did not show the copy. Listings are
        /// eventually consistent, so one miss is not proof: two in a row are.
        var missedListings = 0
        /// Tags a new copy arrived without, to add.
        var repair: Tags?
        /// The copy's tags as the latest answer that carried a `TagList` showed them (the copy
        /// call's or a listing's); nil when none did, and the tags must be read to be verified.
        var reportedTags: Tags?
    }

    /// The copies one tag check speaks for: requests the service treats alike.
    struct TagKind: Sendable, Hashable {
        var scope: AccountScope
        var sourceRegion: String
        var sourceAccount: String?
        var copyTags: Bool
        var encrypted: Bool

        init(_ request: CopyRequest, scope: AccountScope) {
            self.scope = scope
            sourceRegion = request.sourceRegion
            sourceAccount = request.sourceARN.flatMap { SnapshotARN($0)?.account }
            copyTags = request.copyTags
            encrypted = request.kmsKeyID != nil
        }
    }

    /// Where the check of a kind's first copy is.
    enum TagSample: Sendable, Equatable {
        /// Its tags are being read; these copies of the kind wait for the answer.
        case reading(CopyIdentity, waiting: [CopyIdentity])
        /// It had every tag: later copies of the kind are trusted.
        case confirmed
        /// It lacked tags (or could not be read): every copy of the kind is checked.
        case distrusted
    }

    /// What the `SnapshotQuotaExceeded` answers of a scope showed.
    enum Quota: Sendable, Equatable {
        case open
        /// Refused with no copy known in flight: a listing tells the in-flight limit from the account's quota.
        case checking
        /// The account's snapshot quota is reached: no copy to this scope can start.
        case exhausted
    }

    struct Scope: Sendable {
        /// Copies in flight in the account and region, as the last listing saw them.
        var observedInFlight: Set<CopyIdentity> = []
        /// Copies of this run being started or followed.
        var ours: Set<CopyIdentity> = []
        /// Copies ready to start, in reverse plan order (the next is last, so taking it is constant time).
        var queue: [CopyIdentity] = []
        /// Replacements whose old target must disappear first.
        var awaitingGone: Set<CopyIdentity> = []
        /// The in-flight limit the API showed, when lower than asked.
        var learnedLimit: Int?
        var quota: Quota = .open
        var lastListed: Date
        var isListing = false
        /// When (in ``ApplyScheduler/ticks``) the listing in flight was issued.
        var listingIssued = 0
        var reportedWaiting = false
        /// A listing failure that makes following pointless (access denied).
        var unlistable: String?

        var inFlight: Int { observedInFlight.union(ours).count }
    }

    enum Stop: Sendable, Equatable {
        case interrupted
        case timedOut
        case journalFailed
    }

    let options: ApplyOptions
    var entries: [CopyIdentity: Entry] = [:]
    var scopes: [AccountScope: Scope] = [:]
    /// Immediate writes (tag updates, deletions, replacements' deletions, tag repairs), in plan order.
    var writeQueue = FIFO<CopyIdentity>()
    /// New copies whose tags are to be read.
    var verifyQueue = FIFO<CopyIdentity>()
    /// What the first copy of each kind showed of the service's tagging (``TagVerification/sample``).
    var tagSamples: [TagKind: TagSample] = [:]
    /// Copies waiting for an upstream copy, by upstream.
    var waitingOn: [CopyIdentity: [CopyIdentity]] = [:]
    /// The scope an upstream is listed in.
    var upstreamScope: [CopyIdentity: AccountScope] = [:]
    /// The ARN of every snapshot known to be available, by identity (chained copies' sources).
    var available: [CopyIdentity: String] = [:]
    var result = ApplyResult()
    var callsInFlight = 0
    /// A counter that orders listings and the copies they may show: it moves on each listing
    /// issued and each copy call that returned.
    var ticks = 0
    var isSleeping = false
    var stop: Stop?
    var isFinished = false
    let deadline: Date?

    /// A scheduler for `plan`, made from `live`, starting at `now`.
    public init(plan: Plan, live: LiveState, options: ApplyOptions, now: Date) {
        self.options = options
        self.deadline = options.waitTimeout.map { now.addingTimeInterval(Self.seconds($0)) }
        for snapshot in live.snapshots where snapshot.isAvailable && !snapshot.type.isForeign {
            available[snapshot.identity] = snapshot.arn.description
        }
        for (position, change) in plan.changes.enumerated() where entries[change.identity] == nil {
            let scope = AccountScope(region: change.region, roleARN: change.after?.roleARN ?? change.before?.roleARN)
            entries[change.identity] = Entry(change: change, scope: scope, position: position)
            if scopes[scope] == nil {
                scopes[scope] = Scope(observedInFlight: live.copiesInFlight(in: scope), lastListed: now)
            }
        }
        for change in plan.changes {
            for upstream in change.dependsOn {
                let scope = entries[upstream]?.scope ?? AccountScope(region: upstream.region, roleARN: entries[change.identity]?.scope.roleARN)
                upstreamScope[upstream] = scope
                if scopes[scope] == nil { scopes[scope] = Scope(observedInFlight: live.copiesInFlight(in: scope), lastListed: now) }
            }
        }
    }

    /// The first actions: lock-file changes that need no call, then the first writes (none when
    /// apply was `interrupted` before it began).
    public mutating func start(at now: Date, interrupted: Bool = false) -> [Action] {
        if interrupted {
            stop = .interrupted
            result.interrupted = true
        }
        var actions: [Action] = []
        var records: [Journal.RecordChange] = []
        for var entry in entries.values.sorted(by: { $0.position < $1.position }) {
            let change = entry.change
            let identity = change.identity
            switch change.action {
            case .noop:
                records.append(.refresh(change))
                result.unchanged += 1
            case .adopt:
                records.append(.adopt(change))
                result.adopted += 1
                actions.append(.report(.completed(identity, .adopt)))
            case .forget:
                records.append(.forget(identity))
                result.forgotten += 1
                actions.append(.report(.completed(identity, .forget)))
            case .wait:
                if change.ownsTarget, let before = change.before, let arn = before.arn, before.status?.isInProgress == true {
                    // A copy of ours still in progress (started by an earlier run, perhaps with its
                    // record lost): record it, and follow it to the end.
                    records.append(.adopt(change))
                    entry.phase = .copying
                    entry.arn = arn
                    entry.percent = before.percentProgress
                    entry.since = now
                    entry.isFollowed = true
                    scopes[entry.scope]?.ours.insert(identity)
                } else {
                    records.append(.refresh(change))
                    actions.append(.report(.note("\(change.target) (\(change.region)): \(change.reasons.last ?? "waiting")")))
                }
            case .updateTags, .delete, .replace:
                entry.phase = .awaitingWrite
                writeQueue.append(identity)
            case .create:
                entry.phase = .queued
            }
            entries[identity] = entry
            if change.action == .create { enqueue(identity) }
        }
        if !records.isEmpty { actions.insert(.record(records), at: 0) }
        return actions + step(at: now)
    }

    /// The actions that follow `event`.
    public mutating func handle(_ event: Event, at now: Date) -> [Action] {
        guard !isFinished else { return [] }
        var actions: [Action] = []
        switch event {
        case .wrote(let write, let outcome):
            callsInFlight -= 1
            actions += wrote(write, outcome, at: now)
        case .journalFailed(let writes, let error):
            callsInFlight -= writes.count
            for write in writes {
                scopes[write.scope]?.ours.remove(write.identity)
                fail(write.identity, "not attempted: \(error.description)", into: &actions)
            }
            if stop == nil || stop == .timedOut {
                stop = .journalFailed
                result.failures.append(.init(identity: CopyIdentity(region: "-", target: error.location),
                                             message: "\(error.description)\n  fix: \(error.fix)"))
            }
        case .listed(let scope, let listing):
            callsInFlight -= 1
            scopes[scope]?.isListing = false
            scopes[scope]?.lastListed = now
            actions += listed(scope, listing, at: now)
        case .tagsRead(let identity, let tags):
            callsInFlight -= 1
            actions += tagsRead(identity, tags)
        case .woke:
            isSleeping = false
        case .interrupted:
            if stop == nil {
                stop = .interrupted
                result.interrupted = true
            }
        }
        return actions + step(at: now)
    }

    // MARK: - Helpers

    /// Puts a copy in its scope's queue, or behind the upstream copies it waits for.
    mutating func enqueue(_ identity: CopyIdentity) {
        guard let entry = entries[identity] else { return }
        if let upstream = entry.change.dependsOn.first(where: { available[$0] == nil }) {
            waitingOn[upstream, default: []].append(identity)
            return
        }
        guard var scope = scopes.removeValue(forKey: entry.scope) else { return }
        // Descending by position: binary search for the first element placed after this one.
        var low = 0
        var high = scope.queue.count
        while low < high {
            let middle = (low + high) / 2
            if (entries[scope.queue[middle]]?.position ?? 0) > entry.position { low = middle + 1 } else { high = middle }
        }
        scope.queue.insert(identity, at: low)
        scopes[entry.scope] = scope
    }

    /// The in-flight limit of `scope` now.
    func limit(of scope: AccountScope) -> Int {
        min(options.maxInflightCopies, scopes[scope]?.learnedLimit ?? Int.max)
    }

    mutating func fail(_ identity: CopyIdentity, _ message: String, into actions: inout [Action]) {
        entries[identity]?.phase = .failed
        result.failures.append(.init(identity: identity, message: message))
        actions.append(.report(.failed(identity, message: message)))
        failDependents(of: identity, because: "failed", into: &actions)
    }

    /// Fails every copy that waits for `upstream`, and theirs in turn.
    mutating func failDependents(of upstream: CopyIdentity, because reason: String, into actions: inout [Action]) {
        guard let dependents = waitingOn.removeValue(forKey: upstream) else { return }
        for dependent in dependents where entries[dependent]?.phase == .queued {
            fail(dependent, "not started: its source \(upstream.target) (\(upstream.region)) \(reason); fix that copy, then run apply again", into: &actions)
        }
    }

    /// Makes the copies waiting for `upstream` (now available) ready to start.
    mutating func release(_ upstream: CopyIdentity) {
        guard let dependents = waitingOn.removeValue(forKey: upstream) else { return }
        for dependent in dependents where entries[dependent]?.phase == .queued { enqueue(dependent) }
    }

    /// A first-in first-out queue whose removals are constant time.
    struct FIFO<Element: Sendable>: Sendable {
        private var items: [Element] = []
        private var head = 0

        var isEmpty: Bool { head == items.count }

        mutating func append(_ item: Element) { items.append(item) }

        mutating func removeFirst() -> Element? {
            guard head < items.count else { return nil }
            defer {
                head += 1
                if head > 1024 && head * 2 > items.count {
                    items.removeFirst(head)
                    head = 0
                }
            }
            return items[head]
        }
    }

    static func seconds(_ duration: Duration) -> TimeInterval {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    static func elapsed(from start: Date?, to now: Date) -> Duration {
        .milliseconds(Int64(max(0, now.timeIntervalSince(start ?? now)) * 1000))
    }
}
