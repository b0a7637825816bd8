import Foundation

/// `snapcopy cancel`: cancels copies in progress that snapcopy started, by deleting the target
/// while it is copying (the documented way), journaled like every other write.
public struct Canceller: Sendable {
    let service: any SnapshotService

    public init(service: any SnapshotService) {
        self.service = service
    }

    /// Why cancel refuses before making any call.
    public struct Refusal: Error, Sendable, Equatable, CustomStringConvertible {
        public var message: String
        public var fix: String
        public var description: String { "\(message)\n  fix: \(fix)" }
    }

    /// What came of one target.
    public struct Outcome: Sendable, Equatable {
        public var identity: CopyIdentity
        public var cancelled: Bool
        /// What happened, to follow the target's name: `copy cancelled at 40%; ...`, or for a
        /// refusal `is available, not copying: ...`.
        public var message: String
    }

    /// The records of `targets` (in `region` when given) in `lock`.
    /// - Throws: when a target is not recorded, or recorded in several regions and no region is given.
    public static func records(for targets: [String], region: String?, in lock: LockFile) throws(Refusal) -> [LockRecord] {
        var records: [LockRecord] = []
        for target in targets {
            let matches = lock.records.filter { $0.target == target.lowercased() && (region == nil || $0.region == region) }
            guard !matches.isEmpty else {
                throw Refusal(message: "\(target) is not recorded\(region.map { " in \($0)" } ?? "") in the lock file; snapcopy only cancels copies it started",
                              fix: "check the identifier (and --region, and --lock-file)")
            }
            guard matches.count == 1 else {
                throw Refusal(message: "\(target) is recorded in \(matches.map(\.region).joined(separator: " and "))",
                              fix: "pass --region to say which")
            }
            if !records.contains(where: { $0.identity == matches[0].identity }) { records.append(matches[0]) }
        }
        return records
    }

    /// Whether `record`'s live target (`live`, nil when it does not exist) may be cancelled: only a copy in progress.
    public static func refusal(for record: LockRecord, live: LiveSnapshot?) -> String? {
        guard let live else {
            return "does not exist; nothing to cancel (the record is kept; the next plan shows it)"
        }
        guard live.isInProgress else {
            return "is \(live.status), not copying: refusing to delete it\n  fix: to remove a finished copy, drop its entry from the manifests with \"deletionPolicy\": \"delete\" and apply"
        }
        return nil
    }

    /// Cancels every record's copy: one listing per account and region, then a journaled deletion per copy in progress.
    public func cancel(_ records: [LockRecord], journal: inout Journal, now: @Sendable () -> Date) async -> [Outcome] {
        var listings: [AccountScope: Result<[LiveSnapshot], SnapshotServiceError>] = [:]
        for scope in Set(records.map(Self.scope(of:))).sorted() {
            do {
                listings[scope] = .success(try await service.listSnapshots(in: scope, includeShared: false).filter { $0.isNeptune && !$0.type.isForeign })
            } catch {
                listings[scope] = .failure(SnapshotServiceError(error))
            }
        }
        var outcomes: [Outcome] = []
        for record in records {
            let scope = Self.scope(of: record)
            let live: LiveSnapshot?
            switch listings[scope] {
            case .success(let snapshots)?:
                live = snapshots.first { $0.identity == record.identity }
            case .failure(let error)?:
                outcomes.append(Outcome(identity: record.identity, cancelled: false, message: "could not be checked: listing \(scope) failed: \(error.message)"))
                continue
            case nil:
                live = nil
            }
            if let refusal = Self.refusal(for: record, live: live) {
                outcomes.append(Outcome(identity: record.identity, cancelled: false, message: refusal))
                continue
            }
            let change = PlannedChange(action: .delete, region: record.region, target: record.target, source: record.sourceARN)
            let write = ApplyWrite(change: change, scope: scope, kind: .cancel(identifier: live?.identifier ?? record.target))
            do throws(JournalError) {
                try journal.begin([write], at: now())
            } catch {
                outcomes.append(Outcome(identity: record.identity, cancelled: false, message: "was not cancelled: \(error.description)\n  fix: \(error.fix)"))
                break
            }
            let outcome = await service.perform(write)
            journal.commit(write, outcome, at: now())
            let percent = live?.percentProgress.map { "\($0)%" } ?? "an unknown point"
            switch outcome {
            case .succeeded:
                outcomes.append(Outcome(identity: record.identity, cancelled: true, message: "copy cancelled at \(percent); the target is being deleted"))
            case .failed(let error) where error.kind == .notFound:
                outcomes.append(Outcome(identity: record.identity, cancelled: true, message: "the copy was already gone; its record is dropped"))
            case .failed(let error):
                outcomes.append(Outcome(identity: record.identity, cancelled: false, message: "was not cancelled: \(error.message)"))
            }
            do throws(JournalError) {
                try journal.save()
            } catch {
                outcomes.append(Outcome(identity: record.identity, cancelled: false,
                                        message: "is cancelled, but \(error.description); the record still says a deletion is pending, and the next plan settles it\n  fix: \(error.fix)"))
                break
            }
        }
        return outcomes
    }

    static func scope(of record: LockRecord) -> AccountScope {
        AccountScope(region: record.region, roleARN: record.roleARN)
    }
}
