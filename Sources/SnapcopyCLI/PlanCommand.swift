import ArgumentParser
import Foundation
import SnapcopyCore

/// `snapcopy plan PATH...`: what apply would do, and why.
struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Compare the manifests with the lock file and live state, and print what apply would do.",
        discussion: """
            Live state comes from captured describe output (--live-state) or from the Neptune API.
            Exit codes: 0 success, 1 error (including entries the plan cannot act on). With \
            --detailed-exitcode: 0 no changes, 2 changes present, 1 error.
            """
    )

    @Argument(help: ArgumentHelp("Manifest files, or directories read recursively for *.json.", valueName: "path"))
    var paths: [String]

    @OptionGroup var global: GlobalOptions

    @Option(name: .customLong("live-state"), help: ArgumentHelp(
        "Plan offline against the output of `aws neptune describe-db-cluster-snapshots --output json` (repeatable).",
        valueName: "file"))
    var liveStateFiles: [String] = []

    @Option(help: "Output format: text, json or markdown.")
    var format: OutputFormat = .text

    @Flag(name: .customLong("detailed-exitcode"), help: "Exit 0 when there are no changes, 2 when there are, 1 on error.")
    var detailedExitCode = false

    func run() async throws {
        let console = Console.standard
        let environment = ProcessEnvironment.current
        let manifests = ManifestLoader(fallbackRegion: global.region ?? environment.defaultRegion)
            .load(try ManifestFiles.read(paths))
        guard manifests.isValid else {
            throw CommandFailure(ValidationReport(files: paths, manifests: manifests).text())
        }
        let lock = try LockFileStore(path: global.lockFile).read()
        let live = try await LiveStateSource(files: liveStateFiles).load()
        let plan = Planner().plan(desired: manifests, live: live, lock: lock)

        switch format {
        case .text: console.output(TextPlanRenderer(color: global.useColor(environment: environment.variables, console: console)).render(plan))
        case .json: console.output(JSONPlanRenderer().render(plan))
        case .markdown: console.output(MarkdownPlanRenderer().render(plan))
        }
        if plan.hasProblems { throw CommandFailure.exit(.failure) }
        if detailedExitCode && !plan.isEmpty { throw CommandFailure.exit(.changesPresent) }
    }
}

/// Where live state comes from: captured files, or (later) the API.
struct LiveStateSource {
    var files: [String]

    func load() async throws -> LiveState {
        guard !files.isEmpty else {
            throw CommandFailure("snapcopy: planning against the live API is not available in this build\n  fix: pass --live-state FILE with captured describe output")
        }
        var state = LiveState()
        for file in files {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw CommandFailure("snapcopy: \(file): no such file, or it cannot be read\n  fix: give the path of a file captured with `aws neptune describe-db-cluster-snapshots --output json`")
            }
            do {
                for snapshot in try LiveStateFile.parse(Array(data), file: file) { state.insert(snapshot) }
            } catch {
                throw CommandFailure("snapcopy: \(error.description)")
            }
        }
        return state
    }
}
