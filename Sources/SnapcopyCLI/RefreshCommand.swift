import ArgumentParser
import Foundation
import SnapcopyCore

/// `snapcopy refresh`: records in the lock file what became of copies in progress, changing nothing in the account.
struct RefreshCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "refresh",
        abstract: "Update the lock file's observed fields (status, progress, completion) from live state; the account is not changed.",
        discussion: """
            A copy that finished after `apply --no-wait` is recorded as available; one still copying gets its \
            progress. One listing per region and role of the lock file's records, no other call. Pending records \
            and copies that are gone are left for plan, apply and drift. With nothing new the lock file stays \
            byte-identical. Manifest paths, when given, are validated first.
            Exit codes: 0 refreshed (or nothing to refresh), 1 error.
            """
    )

    @Argument(help: ArgumentHelp("Manifest files or directories to validate first (optional).", valueName: "path"))
    var paths: [String] = []

    @OptionGroup var global: GlobalOptions

    @Option(name: .customLong("lock-timeout"), parsing: .unconditional,
            help: ArgumentHelp("Wait this long for another apply to release the lock file.", valueName: "duration"))
    var lockTimeout: DurationArgument?

    func run() async throws {
        let console = Console.standard
        let environment = ProcessEnvironment.current
        if !paths.isEmpty {
            let manifests = ManifestLoader(fallbackRegion: global.fallbackRegion(environment: environment)).load(try ManifestFiles.read(paths))
            guard manifests.isValid else { throw CommandFailure(ValidationReport(files: paths, manifests: manifests).text()) }
        }
        let applyLock = try await ApplyLock.acquire(lockFile: global.lockFile, timeout: lockTimeout?.duration, startedAt: Date())
        defer { applyLock.release() }
        let store = DiskLockStore(path: global.lockFile)
        guard let lock = try store.foldLeftoverJournal(telling: console) else {
            throw CommandFailure("snapcopy: \(global.lockFile) does not exist; there is nothing to refresh\n  fix: run refresh where the lock file is, or pass --lock-file")
        }
        let context = try ServiceContext.make(global: global, environment: environment, console: console)
        defer { context.finish() }
        var live = LiveState()
        for scope in Set(lock.records.map { AccountScope(region: $0.region, roleARN: $0.roleARN) }).sorted() {
            do {
                let listed = try await context.service.listSnapshots(in: scope, includeShared: false)
                live.markListed(scope, snapshots: listed)
                for snapshot in listed { live.insert(snapshot) }
            } catch {
                throw ServiceContext.failure(error)
            }
        }
        var journal = Journal(lock: lock, store: store, newLineage: lock.lineage)
        let before = journal.lock.records
        journal.record(Refresher.observations(of: lock.records, in: live), at: Date())
        do {
            try journal.save()
        } catch {
            throw CommandFailure("snapcopy: \(error.description)\n  fix: \(error.fix)")
        }
        console.output(Self.summary(before: before, after: journal.lock.records, lockFile: global.lockFile))
    }

    /// `Refreshed snapcopy.lock: 2 now available, 1 still copying (40%).` or `... nothing changed.`
    static func summary(before: [LockRecord], after: [LockRecord], lockFile: String) -> String {
        let previous = Dictionary(before.map { ($0.identity, $0) }, uniquingKeysWith: { first, _ in first })
        var lines: [String] = []
        for record in after where previous[record.identity] != record {
            let was = previous[record.identity]?.status.rawValue ?? "unrecorded"
            let now = record.status == .copying ? "copying \(record.percentProgress.map { "\($0)%" } ?? "")" : record.status.rawValue
            lines.append("  \(record.identity): \(was) → \(now)")
        }
        guard !lines.isEmpty else { return "Refreshed \(lockFile): nothing changed.\n" }
        return "Refreshed \(lockFile): \(lines.count) \(lines.count == 1 ? "record" : "records") updated.\n" + lines.joined(separator: "\n") + "\n"
    }
}
