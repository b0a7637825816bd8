import ArgumentParser
import Foundation
import SnapcopyCore

/// `snapcopy plan PATH...`: what apply would do, and why.
struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Compare the manifests with the lock file and live state, and print what apply would do.",
        discussion: """
            Live state comes from the Neptune API (one describe per region and role, plus tag look-ups), \
            or offline from captured describe output (--live-state).
            Exit codes: 0 success, 1 error (including entries the plan cannot act on, and API failures). \
            With --detailed-exitcode: 0 no changes, 2 changes present, 1 error.
            """
    )

    @Argument(help: ArgumentHelp("Manifest files, or directories read recursively for *.json.", valueName: "path"))
    var paths: [String]

    @OptionGroup var global: GlobalOptions

    @OptionGroup var time: TimeOptions

    @Option(name: .customLong("live-state"), help: ArgumentHelp(
        "Plan offline against the output of `aws neptune describe-db-cluster-snapshots --output json`: a file, or a directory of *.json captures (repeatable).",
        valueName: "path"))
    var liveStatePaths: [String] = []

    @Option(help: "Output format: text, json or markdown.")
    var format: OutputFormat = .text

    @Flag(name: .customLong("detailed-exitcode"), help: "Exit 0 when there are no changes, 2 when there are, 1 on error.")
    var detailedExitCode = false

    @Option(help: ArgumentHelp("Also save the plan to this file, for `snapcopy apply FILE` (not saved when entries are blocked).", valueName: "file"))
    var out: String?

    func run() async throws {
        try await reportingFailures(asJSON: format == .json) { try await plan() }
    }

    private func plan() async throws {
        let console = Console.standard
        let environment = ProcessEnvironment.current
        var plan = try await PlanPreparation.prepare(paths: paths, global: global, environment: environment, now: time.time) { manifests, lock in
            try await liveState(manifests: manifests, records: lock?.records ?? [], environment: environment, console: console)
        }.plan

        console.output(try PlanOutput.render(plan, format: format, color: global.useColor(environment: environment.variables, console: console)))
        if let out {
            guard !plan.hasProblems else {
                // An older plan left there could be applied by mistake.
                let removed = FileManager.default.fileExists(atPath: out) && (try? FileManager.default.removeItem(atPath: out)) != nil
                console.error("snapcopy: the plan has entries that block apply; it was not saved to \(out)"
                    + (removed ? " (the older plan saved there was removed, so it cannot be applied by mistake)" : ""))
                throw CommandFailure.exit(.failure)
            }
            plan.inputs.manifestPaths = paths
            try SavedPlan.write(plan, to: out)
            console.error("Saved the plan to \(out). Apply exactly this plan with: \(global.commandLine("apply", arguments: [out]))")
        }
        if plan.hasProblems { throw CommandFailure.exit(.failure) }
        if detailedExitCode && !plan.isEmpty { throw CommandFailure.exit(.changesPresent) }
    }

    /// The captured files when given, else the live API.
    private func liveState(manifests: ManifestSet, records: [LockRecord], environment: ProcessEnvironment, console: Console) async throws -> LiveState {
        if !liveStatePaths.isEmpty {
            return try LiveStateSource(paths: liveStatePaths).load()
        }
        let context = try ServiceContext.make(global: global, environment: environment, console: console)
        defer { context.finish() }
        do {
            return try await context.loader.load(copies: manifests.copies, records: records, rules: manifests.rules, now: time.time ?? Date())
        } catch {
            throw ServiceContext.failure(error)
        }
    }
}

/// Live state captured with `aws neptune describe-db-cluster-snapshots --output json`: files, or
/// directories read recursively for `*.json` in sorted order.
struct LiveStateSource {
    var paths: [String]

    func load() throws -> LiveState {
        var state = LiveState()
        for file in try files() {
            guard let bytes = FileBytes.read(file) else {
                throw CommandFailure("snapcopy: \(file): the file cannot be read\n  fix: check the file's permissions")
            }
            do {
                let capture = try LiveStateFile.parse(bytes, file: file)
                state.insert(contentsOf: capture.snapshots)
                for region in capture.regions { state.markDescribed(region) }
                if let time = capture.capturedAt { state.capturedAt = max(state.capturedAt ?? time, time) }
            } catch {
                throw CommandFailure("snapcopy: \(error.description)")
            }
        }
        return state
    }

    /// Every file to read, in command-line order, directories expanded.
    func files() throws -> [String] {
        var files: [String] = []
        let fileManager = FileManager.default
        for path in paths {
            var isDirectory: ObjCBool = false
            guard fileManager.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw CommandFailure("snapcopy: \(path): no such file or directory\n  fix: give a file captured with `aws neptune describe-db-cluster-snapshots --output json`, or a directory of them")
            }
            guard isDirectory.boolValue else {
                files.append(path)
                continue
            }
            let found = try ManifestFiles.jsonFiles(under: path)
            if found.isEmpty {
                throw CommandFailure("snapcopy: \(path): the directory holds no *.json captures\n  fix: give a directory of files captured with `aws neptune describe-db-cluster-snapshots --output json`")
            }
            files += found
        }
        return files
    }
}
