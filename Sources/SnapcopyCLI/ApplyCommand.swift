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

    @OptionGroup var time: TimeOptions

    @Flag(name: .customLong("auto-approve"), help: "Apply without asking.")
    var autoApprove = false

    @Flag(name: .customLong("allow-replace"), help: "Allow replacements, which delete a snapshot and copy it again.")
    var allowReplace = false

    @Flag(name: .customLong("no-wait"), help: "Return once copies are started; records stay copying until a later plan or apply.")
    var noWait = false

    @Option(name: .customLong("wait-timeout"), parsing: .unconditional,
            help: ArgumentHelp("Stop waiting for copies after this long (e.g. 90m, 2h, 30s); running out exits 1.", valueName: "duration"))
    var waitTimeout: DurationArgument?

    @Option(name: .customLong("max-inflight-copies"), parsing: .unconditional,
            help: ArgumentHelp("At most this many copies in progress per account and destination region (1 to 100).", valueName: "n"))
    var maxInflightCopies = 5

    @Option(name: .customLong("poll-interval"), parsing: .unconditional,
            help: ArgumentHelp("Time between two listings while waiting.", valueName: "duration"))
    var pollInterval = DurationArgument(.seconds(15))

    @Option(name: .customLong("lock-timeout"), parsing: .unconditional,
            help: ArgumentHelp("Wait this long for another apply to release the lock file.", valueName: "duration"))
    var lockTimeout: DurationArgument?

    @Option(name: .customLong("verify-tags"),
            help: ArgumentHelp("Which new copies' tags to check once available: sample (the first copy of each kind of request; the rest are trusted once it had every tag), every (one ListTagsForResource per copy), or none. plan and drift check every copy.", valueName: "mode"))
    var verifyTags: TagVerification = .sample

    @Option(help: "Output format: text, or json (a result document, schemas/apply-result.schema.json, on stdout; progress goes to stderr).")
    var format: ResultFormat = .text

    /// What apply prints on stdout.
    enum ResultFormat: String, ExpressibleByArgument, CaseIterable {
        case text, json
    }

    func validate() throws {
        guard (1...100).contains(maxInflightCopies) else {
            throw ValidationError("--max-inflight-copies \(maxInflightCopies) is out of range: give a number from 1 to 100")
        }
        guard pollInterval.duration > .zero else {
            throw ValidationError("--poll-interval must be longer than 0s")
        }
    }

    func run() async throws {
        try await reportingFailures(asJSON: format == .json) { try await apply() }
    }

    private func apply() async throws {
        // With --format json, standard output carries only the result document.
        let console = format == .json ? Console.diagnostics : Console.standard
        let environment = ProcessEnvironment.current
        let startedAt = Date()
        let applyLock = try await ApplyLock.acquire(lockFile: global.lockFile, timeout: lockTimeout?.duration, startedAt: startedAt)
        defer { applyLock.release() }
        try DiskLockStore(path: global.lockFile).foldLeftoverJournal(telling: console)
        let interrupts = CommandInterrupts.process
        // A saved plan is read (and refused when damaged) before anything talks to AWS.
        let savedPlan = paths.count == 1 ? try SavedPlan.read(paths[0]) : nil
        // Manifests and the lock file are checked before AWS configuration is needed.
        var connected: ServiceContext?
        defer { connected?.finish() }
        let (plan, live, lock, saved) = try await loadPlan(savedPlan, environment: environment) {
            let made = try ServiceContext.make(global: global, environment: environment, console: console)
            connected = made
            return made
        }
        guard let context = connected else {
            throw CommandFailure("snapcopy: internal error: apply planned without connecting to AWS")
        }

        let color = global.useColor(environment: environment.variables, console: console)
        console.output(TextPlanRenderer(color: color).render(plan))
        var options = ApplyOptions()
        options.allowReplace = allowReplace
        options.wait = !noWait
        options.waitTimeout = waitTimeout?.duration
        options.maxInflightCopies = maxInflightCopies
        options.parallelism = context.parallelism
        options.pollInterval = pollInterval.duration
        options.tagVerification = verifyTags
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
        let store = DiskLockStore(path: global.lockFile, journaling: true)
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
        if let retrySummary = context.retrySummary { console.output(retrySummary + "\n") }
        if let tagSummary = Self.tagSummary(result, mode: verifyTags) { console.output(tagSummary + "\n") }
        console.output(Self.followUp(result, rerun: global.commandLine("apply", arguments: paths)))
        if format == .json {
            let report = ApplyReport(result: result, calls: context.callCounts, retries: context.retries, lock: journal.lock.serial > 0 ? journal.lock : lock,
                                     lockPath: global.lockFile)
            do {
                console.result(try report.json())
            } catch {
                throw CommandFailure("snapcopy: the result could not be rendered: \(error)")
            }
        }
        if !result.succeeded { throw CommandFailure.exit(.failure) }
    }

    /// How many new copies' tags were checked and how many trusted, when any were trusted.
    static func tagSummary(_ result: ApplyResult, mode: TagVerification) -> String? {
        guard result.tagsTrusted > 0 else { return nil }
        let copies = { (count: Int) in count == 1 ? "1 new copy" : "\(count) new copies" }
        switch mode {
        case .none:
            return "Tags: not checked on \(copies(result.tagsTrusted)) (--verify-tags none); `snapcopy drift` checks them."
        case .sample, .every:
            return "Tags: checked on \(copies(result.tagsChecked)); \(result.tagsTrusted) more were trusted because the first copy of their kind of request had every tag (--verify-tags every checks each one; `snapcopy drift` checks them all)."
        }
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
    private func loadPlan(
        _ savedPlan: Plan?, environment: ProcessEnvironment, connect: () throws -> ServiceContext
    ) async throws -> (Plan, LiveState, LockFile?, Bool) {
        if let saved = savedPlan {
            guard let manifestPaths = saved.inputs.manifestPaths, !manifestPaths.isEmpty else {
                throw CommandFailure("snapcopy: \(paths[0]): the saved plan does not name its manifests\n  fix: save it again with `snapcopy plan PATH... --out FILE`")
            }
            let fresh = try await PlanPreparation.prepare(paths: manifestPaths, global: global, environment: environment, now: time.time, connect: connect)
            let stale = saved.staleness(against: fresh.plan)
            guard stale.isEmpty else {
                let replan = "run `\(global.commandLine("plan", arguments: manifestPaths + ["--out", paths[0]]))` again, review it, and apply the new plan"
                let otherLockFile = saved.inputs.lockLineage != nil && fresh.plan.inputs.lockLineage != nil
                    && saved.inputs.lockLineage != fresh.plan.inputs.lockLineage
                throw CommandFailure("snapcopy: the saved plan \(paths[0]) is stale and was not applied:\n"
                    + stale.map { "  - \($0)" }.joined(separator: "\n")
                    + (otherLockFile
                        ? "\n  fix: the plan was made with another lock file (lineage \(saved.inputs.lockLineage ?? "")) than \(global.lockFile) (lineage \(fresh.plan.inputs.lockLineage ?? "")): pass --lock-file with the lock file the plan was made with, or \(replan)"
                        : "\n  fix: \(replan)"))
            }
            return (saved, fresh.live, fresh.lock, true)
        }
        let prepared = try await PlanPreparation.prepare(paths: paths, global: global, environment: environment, now: time.time, connect: connect)
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
struct DurationArgument: ExpressibleByArgument, Sendable, CustomStringConvertible {
    var duration: Duration

    init(_ duration: Duration) { self.duration = duration }

    /// `15s`, `2h`: as it is written on the command line (and shown as a default in `--help`).
    var description: String { ApplyResult.format(duration) }
    var defaultValueDescription: String { description }

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

extension TagVerification: ExpressibleByArgument {}
