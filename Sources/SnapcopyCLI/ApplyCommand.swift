import ArgumentParser
import Foundation
import SnapcopyCore

/// `snapcopy apply PATH...` or `snapcopy apply PLANFILE`: make live state match the manifests.
struct ApplyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Plan, ask for approval, then copy, tag, delete and record until live state matches the manifests.",
        discussion: """
            Given manifest paths, apply plans first and asks "Apply these changes? Only 'yes' is accepted:" on a \
            terminal (--auto-approve skips it; without a terminal it refuses). Given a plan saved with \
            `snapcopy plan --out FILE`, it applies exactly that plan, refusing it when it is stale.
            Exit codes: 0 success, 1 error or refusal (everything that succeeded is recorded).
            """
    )

    @Argument(help: ArgumentHelp("Manifest files or directories, or one saved plan file.", valueName: "path"))
    var paths: [String]

    @OptionGroup var global: GlobalOptions

    @Flag(name: .customLong("auto-approve"), help: "Apply without asking.")
    var autoApprove = false

    @Flag(name: .customLong("allow-replace"), help: "Allow replacements, which delete a snapshot and copy it again.")
    var allowReplace = false

    @Flag(name: .customLong("no-wait"), help: "Return once copies are started; records stay copying until a later plan or apply.")
    var noWait = false

    @Option(name: .customLong("wait-timeout"), help: ArgumentHelp("Stop waiting for copies after this long (e.g. 90m, 2h, 30s).", valueName: "duration"))
    var waitTimeout: DurationArgument?

    @Option(name: .customLong("max-inflight-copies"), help: "At most this many copies in progress per account and destination region.")
    var maxInflightCopies = 5

    @Option(name: .customLong("poll-interval"), help: ArgumentHelp("Time between two listings while waiting.", valueName: "duration"))
    var pollInterval = DurationArgument(.seconds(15))

    @Option(name: .customLong("lock-timeout"), help: ArgumentHelp("Wait this long for another apply to release the lock file.", valueName: "duration"))
    var lockTimeout: DurationArgument?

    func validate() throws {
        guard (1...100).contains(maxInflightCopies) else {
            throw ValidationError("--max-inflight-copies must be between 1 and 100")
        }
    }

    func run() async throws {
        let console = Console.standard
        let environment = ProcessEnvironment.current
        let startedAt = Date()
        let applyLock = try await ApplyLock.acquire(lockFile: global.lockFile, timeout: lockTimeout?.duration, startedAt: startedAt)
        defer { applyLock.release() }
        let interrupts = InterruptMonitor.install()
        let context = try ServiceContext.make(global: global, environment: environment, console: console)
        defer { context.finish() }

        let color = global.useColor(environment: environment.variables, console: console)
        let (plan, live, lock, saved) = try await loadPlan(context: context, environment: environment, console: console)
        console.output(TextPlanRenderer(color: color).render(plan))
        var options = ApplyOptions()
        options.allowReplace = allowReplace
        options.wait = !noWait
        options.waitTimeout = waitTimeout?.duration
        options.maxInflightCopies = maxInflightCopies
        options.parallelism = context.parallelism
        options.pollInterval = pollInterval.duration
        do {
            try Applier.check(plan, options: options)
        } catch {
            throw CommandFailure("snapcopy: apply refused: \(error.message)")
        }
        if !plan.isEmpty && !saved && !autoApprove {
            guard console.inputIsTerminal else {
                throw CommandFailure("snapcopy: apply refused: there is no terminal to ask for approval\n  fix: review the plan and pass --auto-approve, or apply a plan saved with `snapcopy plan --out FILE`")
            }
            console.output("\nApply these changes? Only 'yes' is accepted: ")
            guard readLine(strippingNewline: true) == "yes" else {
                throw CommandFailure("snapcopy: apply cancelled; nothing was changed")
            }
        }
        let store = DiskLockStore(path: global.lockFile)
        let progress = ProgressPrinter(console: console, live: console.outputIsTerminal && environment.variables["TERM"] != "dumb")
        let effects = CLIApplyEnvironment(interrupts: interrupts, progress: progress)
        var journal = Journal(lock: lock, store: store, newLineage: UUID().uuidString.lowercased())
        let applier = Applier(service: context.service, environment: effects, options: options)
        let result = await applier.apply(plan, live: live, journal: &journal)
        progress.finish()
        for failure in result.failures {
            console.error("error: \(failure.identity.region == "-" ? failure.identity.target : failure.identity.description): \(failure.message)")
        }
        console.output("\n" + result.summaryLine + "\n")
        console.output(Self.followUp(result, rerun: global.commandLine("apply", arguments: paths)))
        if !result.succeeded { throw CommandFailure.exit(.failure) }
    }

    /// What is left in progress or not started, and how to pick it up.
    static func followUp(_ result: ApplyResult, rerun: String) -> String {
        var lines: [String] = []
        if !result.stillCopying.isEmpty {
            lines.append("Still copying (they continue in AWS):")
            for copy in result.stillCopying {
                lines.append("  \(copy.identity) \(copy.percent.map { "\($0)%" } ?? "queued")")
            }
        }
        if !result.notStarted.isEmpty {
            lines.append("Not started:")
            for copy in result.notStarted {
                let why: String
                switch copy.reason {
                case .waitingForSlot(let scope): why = "waits for a free slot in \(scope)"
                case .waitingForSource(let source): why = "waits for its source \(source) to be available"
                case .stopped: why = "apply stopped first"
                }
                lines.append("  \(copy.identity): \(why)")
            }
        }
        guard !lines.isEmpty || result.interrupted else { return "" }
        if result.interrupted {
            lines.append("Copies already started continue in AWS; the next plan or apply picks them up.")
        } else {
            lines.append("Run `\(rerun)` again (for example on a schedule) to follow these copies to the end and start the rest; nothing is copied twice.")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The plan to apply: made now from manifests, or a saved plan checked against a fresh one.
    private func loadPlan(context: ServiceContext, environment: ProcessEnvironment, console: Console) async throws -> (Plan, LiveState, LockFile?, Bool) {
        if paths.count == 1, let saved = try SavedPlan.read(paths[0]) {
            guard let manifestPaths = saved.inputs.manifestPaths, !manifestPaths.isEmpty else {
                throw CommandFailure("snapcopy: \(paths[0]): the saved plan does not name its manifests\n  fix: save it again with `snapcopy plan PATH... --out FILE`")
            }
            let fresh = try await PlanPreparation.prepare(paths: manifestPaths, global: global, environment: environment, context: context)
            let stale = saved.staleness(against: fresh.plan)
            guard stale.isEmpty else {
                throw CommandFailure("snapcopy: the saved plan \(paths[0]) is stale and was not applied:\n"
                    + stale.map { "  - \($0)" }.joined(separator: "\n")
                    + "\n  fix: run `\(global.commandLine("plan", arguments: manifestPaths + ["--out", paths[0]]))` again, review it, and apply the new plan")
            }
            return (saved, fresh.live, fresh.lock, true)
        }
        let prepared = try await PlanPreparation.prepare(paths: paths, global: global, environment: environment, context: context)
        return (prepared.plan, prepared.live, prepared.lock, false)
    }
}

/// Saved plan files: the JSON plan document, recognised by its `formatVersion` and `changes`.
enum SavedPlan {
    /// The plan in `path`, or nil when the file is not a saved plan (a manifest, a directory).
    static func read(_ path: String) throws -> Plan? {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
              let data = FileManager.default.contents(atPath: path),
              let node = try? JSONParser.parse(Array(data)), node["formatVersion"] != nil, node["changes"] != nil
        else { return nil }
        guard let version = node["formatVersion"]?.integerValue, version <= Plan.currentFormatVersion else {
            throw CommandFailure("snapcopy: \(path): the saved plan has a format version this snapcopy does not read\n  fix: make the plan with this snapcopy")
        }
        do {
            return try JSONDecoder().decode(Plan.self, from: data)
        } catch {
            throw CommandFailure("snapcopy: \(path): the saved plan is damaged (\(CanonicalJSON.describe(error)))\n  fix: save it again with `snapcopy plan PATH... --out FILE`")
        }
    }

    static func write(_ plan: Plan, to path: String) throws {
        do {
            try AtomicFile.write(encoding: plan, to: path)
        } catch {
            throw CommandFailure("snapcopy: cannot write the plan to \(path): \(error)\n  fix: check that the directory exists and is writable")
        }
    }
}

/// A duration on the command line: `90s`, `15m`, `2h`, `500ms`, or plain seconds.
struct DurationArgument: ExpressibleByArgument, Sendable {
    var duration: Duration

    init(_ duration: Duration) { self.duration = duration }

    init?(argument: String) {
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
        for (suffix, scale) in units where argument.hasSuffix(suffix) {
            let number = argument.dropLast(suffix.count)
            if suffix == "s" && number.hasSuffix("m") { continue }
            guard let value = Double(number), value >= 0 else { return nil }
            duration = .milliseconds(Int64(value * scale * 1000))
            return
        }
        guard let seconds = Double(argument), seconds >= 0 else { return nil }
        duration = .milliseconds(Int64(seconds * 1000))
    }
}
