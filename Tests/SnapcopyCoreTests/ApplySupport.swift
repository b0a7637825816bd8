import Foundation
import Testing
@testable import SnapcopyCore

/// A clock that moves only when apply sleeps, so a test can spend simulated hours in milliseconds.
final class SimulatedClock: @unchecked Sendable {
    private let lock = NSLock()
    private var current: Date

    init(_ start: Date = Date(timeIntervalSince1970: 1_795_000_000)) { current = start }

    var now: Date { lock.withLock { current } }

    func advance(to time: Date) { lock.withLock { current = max(current, time) } }
    func advance(by duration: Duration) { lock.withLock { current = current.addingTimeInterval(ApplyScheduler.seconds(duration)) } }
}

/// Apply's effects in simulated time: sleeping moves the clock; events and sleeps are recorded;
/// out-of-band changes run when the clock passes their time; an interrupt can be raised at the
/// n-th check.
final class SimulatedEnvironment: ApplyEnvironment, @unchecked Sendable {
    let clock: SimulatedClock
    private let lock = NSLock()
    private var _events: [ApplyEvent] = []
    private var _sleeps: [Date] = []
    private var _checks = 0
    private var _interrupted = false
    private var hooks: [(at: Date, action: @Sendable () async -> Void)] = []
    /// Interrupt from this check of `isInterrupted` on (nil: never).
    var interruptAtCheck: Int?

    init(clock: SimulatedClock = SimulatedClock()) { self.clock = clock }

    var events: [ApplyEvent] { lock.withLock { _events } }
    var sleeps: [Date] { lock.withLock { _sleeps } }
    var checks: Int { lock.withLock { _checks } }
    func interrupt() { lock.withLock { _interrupted = true } }

    /// Runs `action` once the simulated clock reaches `offset` after the start.
    func at(_ offset: Duration, _ action: @escaping @Sendable () async -> Void) {
        let time = clock.now.addingTimeInterval(ApplyScheduler.seconds(offset))
        lock.withLock { hooks.append((time, action)) }
    }

    func now() -> Date { clock.now }

    func sleep(until deadline: Date) async {
        lock.withLock { _sleeps.append(deadline) }
        clock.advance(to: deadline)
        let due = lock.withLock { () -> [@Sendable () async -> Void] in
            let ready = hooks.filter { $0.at <= deadline }
            hooks.removeAll { $0.at <= deadline }
            return ready.map(\.action)
        }
        for action in due { await action() }
    }

    var isInterrupted: Bool {
        lock.withLock {
            _checks += 1
            if let limit = interruptAtCheck, _checks >= limit { _interrupted = true }
            return _interrupted
        }
    }

    func report(_ event: ApplyEvent) { lock.withLock { _events.append(event) } }

    /// The percentages reported for `target`, in order.
    func percents(of target: String) -> [Int] {
        events.compactMap { event in
            if case .progress(let identity, let percent, _) = event, identity.target == target { return percent }
            return nil
        }
    }
}

/// One apply as `snapcopy apply` runs it: list live state, plan, check, apply through the journal.
struct ApplyRun {
    var plan: Plan
    var result: ApplyResult
    var lock: LockFile
}

/// Plans `copies` against the in-memory account and applies the plan, as `snapcopy apply` does.
func planAndApply(
    _ copies: [DesiredCopy], service: InMemorySnapshotService, lock: LockFile? = nil, options: ApplyOptions = ApplyOptions(),
    environment: SimulatedEnvironment = SimulatedEnvironment(), store: InMemoryLockStore = InMemoryLockStore()
) async throws -> ApplyRun {
    let records = lock?.records ?? []
    let live = try await LiveStateLoader(service: service, parallelism: 4).load(copies: copies, records: records)
    let plan = Planner().plan(desired: ManifestSet(copies: copies, diagnostics: [], digest: "d"), live: live, lock: lock)
    try Applier.check(plan, options: options)
    var journal = Journal(lock: lock, store: store, newLineage: "L")
    let result = await Applier(service: service, environment: environment, options: options).apply(plan, live: live, journal: &journal)
    return ApplyRun(plan: plan, result: result, lock: journal.lock)
}

/// An account whose clock is `environment`'s, copies taking `timing`.
func simulatedAccount(
    _ snapshots: [LiveSnapshot], timing: InMemorySnapshotService.CopyTiming = .instant, environment: SimulatedEnvironment
) -> InMemorySnapshotService {
    let clock = environment.clock
    return InMemorySnapshotService(snapshots: snapshots, copyTiming: timing, now: { clock.now })
}

extension InMemorySnapshotService {
    /// The copy calls made, by target.
    var copyCalls: [String] { calls.filter { $0.hasPrefix("copy ") }.map { String($0.dropFirst(5)) } }
    /// The calls that change anything.
    var writeCalls: [String] { calls.filter { !$0.hasPrefix("list") && !$0.hasPrefix("tags") } }
}
