/// The result document `apply --format json` prints: versioned, described by
/// `schemas/apply-result.schema.json`, deterministic.
public struct ApplyReport: Sendable, Equatable, Codable {
    public static let currentFormatVersion = 1

    public struct Summary: Sendable, Equatable, Codable {
        public var created, tagsUpdated, replaced, deleted, adopted, forgotten, unchanged, finished: Int
        public var stillCopying, notStarted, failed: Int
    }

    public struct Copy: Sendable, Equatable, Codable {
        public var region: String
        public var target: String
        public var percent: Int?
    }

    public struct NotStarted: Sendable, Equatable, Codable {
        public var region: String
        public var target: String
        /// `waiting-for-slot`, `waiting-for-source` or `stopped`.
        public var reason: String
        /// The copy it waits for, for `waiting-for-source`.
        public var source: CopyIdentity?
    }

    public struct Failure: Sendable, Equatable, Codable {
        public var region: String
        public var target: String
        public var message: String
    }

    /// New copies whose tags apply checked, and those it trusted on their kind's first copy.
    public struct TagChecks: Sendable, Equatable, Codable {
        public var checked: Int
        public var trusted: Int
    }

    public struct LockFileState: Sendable, Equatable, Codable {
        public var path: String
        public var lineage: String
        public var serial: Int
    }

    public var formatVersion = Self.currentFormatVersion
    public var succeeded: Bool
    public var interrupted: Bool
    /// The `--wait-timeout` that ran out (`2h`), if one did.
    public var timedOut: String?
    public var summary: Summary
    /// What became of each planned change, in plan order.
    public var entries: [ApplyResult.EntryOutcome]
    public var stillCopying: [Copy]
    public var notStarted: [NotStarted]
    public var failures: [Failure]
    /// API calls made (attempts, retries included), by action.
    public var calls: [String: Int]
    /// API attempts that repeated an earlier failed one (throttling, 5xx, connection failures).
    public var retries: Int
    /// The lock file as apply left it.
    public var lockFile: LockFileState?
    /// How new copies' tags were checked (`--verify-tags`).
    public var tagChecks: TagChecks

    public init(result: ApplyResult, calls: [String: Int], retries: Int = 0, lock: LockFile?, lockPath: String) {
        succeeded = result.succeeded
        interrupted = result.interrupted
        timedOut = result.timedOut.map(ApplyResult.format)
        summary = Summary(created: result.created, tagsUpdated: result.tagsUpdated, replaced: result.replaced, deleted: result.deleted,
                          adopted: result.adopted, forgotten: result.forgotten, unchanged: result.unchanged, finished: result.finished,
                          stillCopying: result.stillCopying.count, notStarted: result.notStarted.count, failed: result.failures.count)
        entries = result.entries
        stillCopying = result.stillCopying.map { Copy(region: $0.identity.region, target: $0.identity.target, percent: $0.percent) }
        notStarted = result.notStarted.map { copy in
            switch copy.reason {
            case .waitingForSlot: NotStarted(region: copy.identity.region, target: copy.identity.target, reason: "waiting-for-slot", source: nil)
            case .waitingForSource(let source): NotStarted(region: copy.identity.region, target: copy.identity.target, reason: "waiting-for-source", source: source)
            case .stopped: NotStarted(region: copy.identity.region, target: copy.identity.target, reason: "stopped", source: nil)
            }
        }
        failures = result.failures.map { Failure(region: $0.identity.region, target: $0.identity.target, message: $0.message) }
        self.calls = calls
        self.retries = retries
        tagChecks = TagChecks(checked: result.tagsChecked, trusted: result.tagsTrusted)
        lockFile = lock.map { LockFileState(path: lockPath, lineage: $0.lineage, serial: $0.serial) }
    }

    /// The document as canonical JSON.
    public func json() throws(CanonicalJSON.EncodingFailure) -> String {
        String(decoding: try CanonicalJSON.encode(self), as: UTF8.self)
    }
}
