import Foundation
import SnapcopyCore

/// Everything a plan is made from, loaded from disk and the API: shared by plan, apply and cancel.
struct PlanInputsLoaded {
    var manifests: ManifestSet
    var lock: LockFile?
    var live: LiveState
    var plan: Plan
}

enum PlanPreparation {
    /// Loads manifests (failing with every diagnostic when invalid) and the lock file, then connects
    /// (only once both are valid, so bad input is reported before any AWS configuration is needed),
    /// describes live state through the API and plans.
    static func prepare(
        paths: [String], global: GlobalOptions, environment: ProcessEnvironment, now: Date? = nil,
        connect: () throws -> ServiceContext
    ) async throws -> PlanInputsLoaded {
        try await prepare(paths: paths, global: global, environment: environment, now: now) { manifests, lock in
            let context = try connect()
            do {
                return try await context.loader.load(copies: manifests.copies, records: lock?.records ?? [], rules: manifests.rules,
                                                     now: now ?? Date())
            } catch {
                throw ServiceContext.failure(error)
            }
        }
    }

    /// Loads manifests and the lock file, then live state with `describe`, and plans at `now`
    /// (else a capture's time, else the clock's).
    static func prepare(
        paths: [String], global: GlobalOptions, environment: ProcessEnvironment, now: Date? = nil,
        describe: (ManifestSet, LockFile?) async throws -> LiveState
    ) async throws -> PlanInputsLoaded {
        let manifests = ManifestLoader(fallbackRegion: global.fallbackRegion(environment: environment)).load(try ManifestFiles.read(paths))
        guard manifests.isValid else {
            let report = ValidationReport(files: paths, manifests: manifests)
            throw CommandFailure(report.text(), json: try? report.json())
        }
        let lock = try DiskLockStore(path: global.lockFile).read()
        let live = try await describe(manifests, lock)
        let plan = Planner().plan(desired: manifests, live: live, lock: lock, now: now ?? live.capturedAt ?? Date())
        return PlanInputsLoaded(manifests: manifests, lock: lock, live: live, plan: plan)
    }
}
