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

    @Option(name: .customLong("lock-timeout"), parsing: .unconditional, help: ArgumentHelp("Wait this long for another apply to release the lock file.", valueName: "duration"))
    var lockTimeout: DurationArgument?

    func run() async throws {
        let console = Console.standard
        let environment = ProcessEnvironment.current
        let applyLock = try await ApplyLock.acquire(lockFile: global.lockFile, timeout: lockTimeout?.duration, startedAt: Date())
        defer { applyLock.release() }
        let store = DiskLockStore(path: global.lockFile)
        guard let lock = try store.foldLeftoverJournal(telling: console) else {
            throw CommandFailure("snapcopy: \(global.lockFile) does not exist, so snapcopy has started no copies here\n  fix: run cancel where the lock file is, or pass --lock-file")
        }
        let records: [LockRecord]
        do {
            records = try Canceller.records(for: targets, region: global.region, in: lock)
        } catch {
            throw CommandFailure("snapcopy: \(error.message) (lock file \(global.lockFile))\n  fix: \(error.fix)")
        }
        let context = try ServiceContext.make(global: global, environment: environment, console: console)
        defer { context.finish() }
        var journal = Journal(lock: lock, store: store, newLineage: lock.lineage)
        let outcomes = await Canceller(service: context.service).cancel(records, journal: &journal, now: { Date() })
        for outcome in outcomes {
            if outcome.cancelled {
                console.output("\(outcome.identity): \(outcome.message)\n")
            } else {
                console.error("snapcopy: \(outcome.identity) \(outcome.message)")
            }
        }
        if outcomes.count < records.count || outcomes.contains(where: { !$0.cancelled }) { throw CommandFailure.exit(.failure) }
    }
}
