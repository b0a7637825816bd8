import Foundation

/// How apply runs.
public struct ApplyOptions: Sendable, Equatable {
    /// Destructive replacements run only when this is set.
    public var allowReplace = false
    /// Wait until every copy started is `available` (and start chained copies once their upstream is).
    public var wait = true
    /// Give up waiting after this long (nil: no limit). Running out is a failure.
    public var waitTimeout: Duration?
    /// At most this many copies in progress per (account, destination region), counting others' copies too.
    public var maxInflightCopies = 5
    /// At most this many API calls at once.
    public var parallelism = 16
    /// Time between two listings of an account and region while waiting.
    public var pollInterval: Duration = .seconds(15)
    /// Which new copies have their tags checked once available, and any they arrived without added.
    public var tagVerification: TagVerification = .sample

    public init() {}
}

/// Something apply reports while it runs, for progress output.
public enum ApplyEvent: Sendable, Equatable {
    /// A write started that shows no progress of its own (the deletion of a replaced copy).
    case started(CopyIdentity, Action)
    case copyStarted(CopyIdentity, arn: String)
    /// A copy's progress changed; `elapsed` counts from when it started (or was first seen).
    case progress(CopyIdentity, percent: Int, elapsed: Duration)
    case completed(CopyIdentity, Action)
    case failed(CopyIdentity, message: String)
    /// Copies wait for a free slot in a scope that has `inflight` copies in progress (its limit).
    case waitingForSlot(AccountScope, inflight: Int)
    case note(String)
}

/// What apply did.
/// Which new copies apply checks the tags of, once they are available.
///
/// A copy call's `Tags` are applied with the copy, or the call fails; what can differ is how the
/// service treats a kind of request (`CopyTags` with explicit `Tags`, a cross-account source), so
/// one copy of each kind shows it. Neptune's answers carry no `TagList`, so a check is one
/// `ListTagsForResource` per copy, unless an answer happened to show the tags.
public enum TagVerification: String, Sendable, Equatable, CaseIterable {
    /// Every new copy's tags are checked.
    case every
    /// The first copy of each kind in a run (destination account and region, source region and
    /// account, `CopyTags`, a KMS key or not) is checked; once one arrived with all its tags, later
    /// copies of that kind are trusted. A kind whose first copy lacked tags has every copy checked.
    /// `plan` and `drift` check every copy's tags.
    case sample
    /// No new copy is checked here; `plan` and `drift` do.
    case none
}

public struct ApplyResult: Sendable, Equatable {
    public var created = 0
    public var tagsUpdated = 0
    public var replaced = 0
    public var deleted = 0
    public var adopted = 0
    public var forgotten = 0
    public var unchanged = 0
    /// Copies started by an earlier run that this run followed until they were available.
    public var finished = 0
    /// Copies started but not yet available when apply returned (`--no-wait`, a timeout, an interrupt).
    public var stillCopying: [CopyInProgress] = []
    /// Copies not started, and why.
    public var notStarted: [CopyNotStarted] = []
    public var failures: [Failure] = []
    /// Whether an interrupt stopped apply before it finished.
    public var interrupted = false
    /// The `--wait-timeout` that ran out, if one did.
    public var timedOut: Duration?
    /// New copies whose tags were checked (read, or shown by an answer), and those trusted because
    /// an earlier copy of their kind had all its tags (see ``TagVerification``).
    public var tagsChecked = 0
    public var tagsTrusted = 0
    /// What became of each planned change, in plan order.
    public var entries: [EntryOutcome] = []

    /// What became of one planned change.
    public struct EntryOutcome: Sendable, Equatable, Codable {
        public enum Outcome: String, Sendable, Codable {
            /// Done as planned (created and available, tags updated, deleted, adopted, forgotten).
            case done
            /// Nothing to do.
            case unchanged
            /// Started (or followed) and still copying.
            case copying
            /// Waiting for something apply does not wait for (a source that is not available).
            case waiting
            /// Not started; see the result's `notStarted`.
            case notStarted = "not-started"
            case failed
        }

        public var region: String
        public var target: String
        public var action: Action
        public var outcome: Outcome
        /// The copy's ARN, once known.
        public var arn: String?
        /// The copy's progress, while it is copying.
        public var percent: Int?
        /// Why it failed, or what it waits for.
        public var message: String?
    }

    public struct Failure: Sendable, Equatable {
        public var identity: CopyIdentity
        public var message: String

        public init(identity: CopyIdentity, message: String) {
            self.identity = identity
            self.message = message
        }
    }

    /// A copy still in progress when apply returned.
    public struct CopyInProgress: Sendable, Equatable {
        public var identity: CopyIdentity
        public var percent: Int?
    }

    /// A copy apply did not start.
    public struct CopyNotStarted: Sendable, Equatable {
        public enum Reason: Sendable, Equatable {
            /// Every slot of its account and region was taken (`--no-wait`).
            case waitingForSlot(AccountScope)
            /// Its source, another entry's copy, is not available yet.
            case waitingForSource(CopyIdentity)
            /// Apply stopped first (interrupt, timeout, or the lock file could not be written).
            case stopped
        }

        public var identity: CopyIdentity
        public var reason: Reason
    }

    public init() {}

    /// Whether everything asked for was done or is under way as asked: no failure, no interrupt, no timeout.
    public var succeeded: Bool { failures.isEmpty && !interrupted && timedOut == nil }

    /// `Apply complete: 3 created, 1 tags updated, 0 replaced, 0 deleted, 2 unchanged.` and the rest.
    public var summaryLine: String {
        let head: String
        if interrupted {
            head = "Apply interrupted"
        } else if let timedOut {
            head = "Apply stopped waiting after \(Self.format(timedOut))"
        } else {
            head = failures.isEmpty ? "Apply complete" : "Apply failed"
        }
        var text = "\(head): \(created) created, \(tagsUpdated) tags updated, \(replaced) replaced, \(deleted) deleted, \(unchanged) unchanged"
        if adopted > 0 { text += ", \(adopted) adopted" }
        if forgotten > 0 { text += ", \(forgotten) forgotten" }
        if finished > 0 { text += ", \(finished) finished copying" }
        if !stillCopying.isEmpty { text += ", \(stillCopying.count) still copying" }
        let waitingForSource = notStarted.filter { if case .waitingForSource = $0.reason { true } else { false } }.count
        let waitingForSlot = notStarted.filter { if case .waitingForSlot = $0.reason { true } else { false } }.count
        let stopped = notStarted.count - waitingForSource - waitingForSlot
        if waitingForSlot > 0 { text += ", \(waitingForSlot) waiting for a free slot" }
        if waitingForSource > 0 { text += ", \(waitingForSource) waiting for their source" }
        if stopped > 0 { text += ", \(stopped) not started" }
        if !failures.isEmpty { text += ", \(failures.count) failed" }
        return text + "."
    }

    /// `2h`, `90m`, `45s`, `1500ms`.
    public static func format(_ duration: Duration) -> String {
        let milliseconds = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
        if milliseconds % 3_600_000 == 0 { return "\(milliseconds / 3_600_000)h" }
        if milliseconds % 60_000 == 0 { return "\(milliseconds / 60_000)m" }
        if milliseconds % 1000 == 0 { return "\(milliseconds / 1000)s" }
        return "\(milliseconds)ms"
    }
}

/// Why apply refuses to start.
public struct ApplyRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// The effects apply needs besides the account and the lock file: the clock, sleeping, interrupts, progress.
public protocol ApplyEnvironment: Sendable {
    /// The current time.
    func now() -> Date
    /// Suspends until `deadline` (or earlier, on an interrupt); a simulated clock just moves to it.
    func sleep(until deadline: Date) async
    /// Whether the user asked apply to stop starting new work.
    var isInterrupted: Bool { get }
    /// Receives progress events.
    func report(_ event: ApplyEvent)
}
