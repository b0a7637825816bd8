import ArgumentParser
import Foundation
import SnapcopyCore

/// `snapcopy cancel TARGET...`: cancel copies in progress that snapcopy started.
struct CancelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel",
        abstract: "Cancel copies in progress that snapcopy started, by deleting the target while it is copying.",
        discussion: """
            Deleting a snapshot while it is copying is the documented way to cancel a copy. Targets that are \
            already available are refused (remove them from the manifests with deletionPolicy delete instead), \
            and so are snapshots snapcopy did not start. The record is dropped; a later apply copies the entry \
            again if it is still in the manifests. Exit codes: 0 all cancelled, 1 otherwise.
            """
    )

    @Argument(help: ArgumentHelp("Target identifiers recorded in the lock file.", valueName: "target"))
    var targets: [String]

    @OptionGroup var global: GlobalOptions

    @Option(name: .customLong("lock-timeout"), help: ArgumentHelp("Wait this long for another apply to release the lock file.", valueName: "duration"))
    var lockTimeout: DurationArgument?

    func run() async throws {
        let console = Console.standard
        let environment = ProcessEnvironment.current
        let applyLock = try await ApplyLock.acquire(lockFile: global.lockFile, timeout: lockTimeout?.duration, startedAt: Date())
        defer { applyLock.release() }
        let store = LockFileStore(path: global.lockFile)
        guard var lock = try store.read() else {
            throw CommandFailure("snapcopy: \(global.lockFile) does not exist, so snapcopy has started no copies here\n  fix: run cancel where the lock file is, or pass --lock-file")
        }
        var records: [LockRecord] = []
        for target in targets {
            let matches = lock.records.filter { $0.target == target.lowercased() && (global.region == nil || $0.region == global.region) }
            guard !matches.isEmpty else {
                throw CommandFailure("snapcopy: \(target) is not recorded in \(global.lockFile); snapcopy only cancels copies it started\n  fix: check the identifier (and --region)")
            }
            guard matches.count == 1 else {
                throw CommandFailure("snapcopy: \(target) is recorded in \(matches.map(\.region).joined(separator: " and "))\n  fix: pass --region to say which")
            }
            records.append(matches[0])
        }
        let context = try ServiceContext.make(global: global, environment: environment, console: console)
        defer { context.finish() }
        var failed = false
        // One listing per (region, role), however many targets it holds.
        var listings: [AccountScope: Result<[LiveSnapshot], any Error>] = [:]
        for scope in Set(records.map { AccountScope(region: $0.region, roleARN: $0.roleARN) }) {
            do {
                listings[scope] = .success(try await context.service.listSnapshots(in: scope, includeShared: false).filter(\.isNeptune))
            } catch {
                listings[scope] = .failure(error)
            }
        }
        for record in records {
            let scope = AccountScope(region: record.region, roleARN: record.roleARN)
            let live: LiveSnapshot?
            switch listings[scope] {
            case .success(let snapshots)?:
                live = snapshots.first { $0.identifier.lowercased() == record.target }
            case .failure(let error)?:
                console.error("snapcopy: \(record.target) (\(record.region)): describing it failed: \(error)")
                failed = true
                continue
            case nil:
                live = nil
            }
            guard let live else {
                console.error("snapcopy: \(record.target) (\(record.region)): the snapshot does not exist; nothing to cancel (the record is kept; the next plan shows it)")
                failed = true
                continue
            }
            guard live.isInProgress else {
                console.error("snapcopy: \(record.target) (\(record.region)) is \(live.status), not copying: refusing to delete it\n  fix: to remove a finished copy, drop its entry from the manifests with \"deletionPolicy\": \"delete\" and apply")
                failed = true
                continue
            }
            var pending = record
            pending.status = .pending
            pending.operation = .delete
            lock.upsert(pending)
            lock.serial += 1
            try store.write(lock)
            do {
                try await context.service.deleteSnapshot(identifier: live.identifier, in: scope)
                lock.remove(record.identity)
                console.output("\(record.target) (\(record.region)): copy cancelled at \(live.percentProgress.map { "\($0)%" } ?? "an unknown point"); the target is being deleted\n")
            } catch {
                lock.upsert(record)
                console.error("snapcopy: \(record.target) (\(record.region)): cancelling failed: \(error)")
                failed = true
            }
            lock.serial += 1
            try store.write(lock)
        }
        if failed { throw CommandFailure.exit(.failure) }
    }
}
