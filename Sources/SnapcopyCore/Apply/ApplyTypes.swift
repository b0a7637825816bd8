import Foundation

/// How apply runs.
public struct ApplyOptions: Sendable {
    /// Destructive replacements run only when this is set.
    public var allowReplace = false
    /// Wait until every copy started is `available`.
    public var wait = true
    /// Give up waiting after this long (nil: no limit).
    public var waitTimeout: Duration?
    /// At most this many copies in progress per (account, destination region), counting others' copies too.
    public var maxInflightCopies = 5
    /// At most this many concurrent API calls in one wave.
    public var parallelism = 16
    /// Time between two listings while waiting.
    public var pollInterval: Duration = .seconds(15)

    public init() {}
}

/// Something apply reports while it runs, for progress output.
public enum ApplyEvent: Sendable, Equatable {
    case started(CopyIdentity, Action)
    case copyStarted(CopyIdentity, arn: String)
    /// A copy's progress changed; `elapsed` counts from when it started (or was first seen).
    case progress(CopyIdentity, percent: Int, elapsed: Duration)
    case completed(CopyIdentity, Action)
    case failed(CopyIdentity, message: String)
    /// Copies wait for a free slot in a scope that already has `inflight` copies in progress.
    case waitingForSlot(AccountScope, inflight: Int)
    case note(String)
}

/// What apply did.
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
    /// Copies started but not yet available when apply returned (`--no-wait`, timeouts, or dependencies not ready).
    public var stillCopying: [CopyIdentity] = []
    /// Chained copies not started because their source was not yet available (`--no-wait`).
    public var notStarted: [CopyIdentity] = []
    public var failures: [Failure] = []
    /// Whether an interrupt stopped apply before it finished.
    public var interrupted = false

    public struct Failure: Sendable, Equatable {
        public var identity: CopyIdentity
        public var message: String
    }

    public init() {}

    public var succeeded: Bool { failures.isEmpty && !interrupted }

    /// `Apply complete: 3 created, 1 tags updated, 0 replaced, 0 deleted, 2 unchanged` and the rest.
    public var summaryLine: String {
        let head = interrupted ? "Apply interrupted" : (failures.isEmpty ? "Apply complete" : "Apply failed")
        var text = "\(head): \(created) created, \(tagsUpdated) tags updated, \(replaced) replaced, \(deleted) deleted, \(unchanged) unchanged"
        if adopted > 0 { text += ", \(adopted) adopted" }
        if forgotten > 0 { text += ", \(forgotten) forgotten" }
        if finished > 0 { text += ", \(finished) finished copying" }
        if !stillCopying.isEmpty { text += ", \(stillCopying.count) still copying" }
        if !notStarted.isEmpty { text += ", \(notStarted.count) waiting for their source" }
        if !failures.isEmpty { text += ", \(failures.count) failed" }
        return text + "."
    }
}

/// Why apply refuses to start.
public struct ApplyRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// The effects apply needs besides the account: the clock, persistence of the lock file, and interrupts.
public protocol ApplyEnvironment: Sendable {
    /// The current time, for the lock file's `startedAt`/`completedAt`.
    func now() -> Date
    /// Suspends for `duration` (tests return at once).
    func sleep(for duration: Duration) async throws
    /// Writes the lock file durably (atomically) before returning.
    func persist(_ lock: LockFile) throws
    /// Whether the user asked apply to stop starting new work.
    var isInterrupted: Bool { get }
    /// Receives progress events.
    func report(_ event: ApplyEvent)
}
