/// One API write apply (or cancel) makes, with the planned change it serves and the account it acts in.
///
/// The journal records a write's intent before the call and its outcome after it; nothing else
/// decides what a record says.
public struct ApplyWrite: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        /// `CopyDBClusterSnapshot`, with the request exactly as planned.
        case copy(CopyRequest)
        /// `DeleteDBClusterSnapshot` of the old target of a replacement.
        case deleteForReplacement(identifier: String)
        /// `RemoveTagsFromResource` then `AddTagsToResource`.
        case updateTags(arn: String, remove: [String], add: Tags)
        /// `AddTagsToResource` of tags a new copy arrived without.
        case repairTags(arn: String, add: Tags)
        /// `DeleteDBClusterSnapshot` of a copy whose entry left the manifests (policy delete).
        case delete(identifier: String)
        /// `DeleteDBClusterSnapshot` of a copy in progress: the documented way to cancel it.
        case cancel(identifier: String)

        /// Whether the write deletes a snapshot (so "not found" means it is done).
        public var isDeletion: Bool {
            switch self {
            case .deleteForReplacement, .delete, .cancel: true
            case .copy, .updateTags, .repairTags: false
            }
        }
    }

    public var change: PlannedChange
    public var scope: AccountScope
    public var kind: Kind

    public init(change: PlannedChange, scope: AccountScope, kind: Kind) {
        self.change = change
        self.scope = scope
        self.kind = kind
    }

    public var identity: CopyIdentity { change.identity }
}

/// What came of one write.
public enum WriteOutcome: Sendable, Hashable {
    /// The call succeeded; a copy returns the new snapshot as the API first reports it.
    case succeeded(LiveSnapshot?)
    case failed(SnapshotServiceError)
}

extension SnapshotServiceError {
    /// Whether the API answered that it did not do the write, so nothing was changed: any error
    /// but a transport failure, an unclassified one, or throttling after retries.
    public var isDefiniteRefusal: Bool {
        switch kind {
        case .notFound, .alreadyExists, .quotaExceeded, .invalidState, .kmsKeyNotAccessible, .accessDenied: true
        case .throttled, .other: false
        }
    }
}

extension SnapshotService {
    /// Makes `write`'s calls and says what came of them.
    public func perform(_ write: ApplyWrite) async -> WriteOutcome {
        do {
            switch write.kind {
            case .copy(let request):
                return .succeeded(try await copySnapshot(request, in: write.scope))
            case .deleteForReplacement(let identifier), .delete(let identifier), .cancel(let identifier):
                try await deleteSnapshot(identifier: identifier, in: write.scope)
            case .updateTags(let arn, let remove, let add):
                if !remove.isEmpty { try await removeTags(remove, from: arn, in: write.scope) }
                if !add.isEmpty { try await addTags(add, to: arn, in: write.scope) }
            case .repairTags(let arn, let add):
                try await addTags(add, to: arn, in: write.scope)
            }
            return .succeeded(nil)
        } catch let error as SnapshotServiceError {
            return .failed(error)
        } catch {
            return .failed(SnapshotServiceError(.other, "\(error)"))
        }
    }
}
