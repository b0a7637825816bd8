import ArgumentParser
import Foundation
import SnapcopyCore

/// `snapcopy drift PATH...`: what in the account no longer matches the manifests and the lock file. Read-only.
struct DriftCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drift",
        abstract: "Report drift between the manifests, the lock file and the account; read-only.",
        discussion: """
            Findings: missing, tags-changed, replaced, unapplied, stuck, failed, unmanaged; source-gone is a \
            warning. Live state is one listing per account and region plus one tag call per managed copy (and per \
            unknown copy, to find unmanaged ones), or --live-state. Never calls a write API, never writes the lock file.
            Ignore rules: .snapcopyignore next to the lock file (or --ignore-file), and --ignore PATTERN.
            Exit codes: 0 no drift, 2 drift found, 1 error.
            """
    )

    @Argument(help: ArgumentHelp("Manifest files, or directories read recursively for *.json.", valueName: "path"))
    var paths: [String]

    @OptionGroup var global: GlobalOptions

    @Option(name: .customLong("live-state"), help: ArgumentHelp(
        "Report against captured live state (`snapcopy capture`, or describe output with TagList): a file or a directory (repeatable).",
        valueName: "path"))
    var liveStatePaths: [String] = []

    @Option(name: .customLong("stuck-after"), parsing: .unconditional,
            help: ArgumentHelp("A copy in progress longer than this is stuck.", valueName: "duration"))
    var stuckAfter = DurationArgument(DriftDetector.defaultStuckAfter)

    @Option(name: .customLong("stalled-after"), parsing: .unconditional,
            help: ArgumentHelp("A copy whose progress has not moved, across what the lock file observed, for longer than this is stuck.", valueName: "duration"))
    var stalledAfter = DurationArgument(DriftDetector.defaultStalledAfter)

    @Option(name: .customLong("ignore-file"), help: ArgumentHelp("Ignore rules (default: .snapcopyignore next to the lock file, if it exists).", valueName: "path"))
    var ignoreFile: String?

    @Option(help: ArgumentHelp("An ignore rule for this run, as a line of .snapcopyignore: [KIND] REGION/TARGET, ! to re-include (repeatable).", valueName: "pattern"))
    var ignore: [String] = []

    @Option(help: "Output format: text, json, markdown or junit.")
    var format: DriftFormat = .text

    @Option(help: ArgumentHelp("Write the report to this file (atomically); the text summary still goes to the terminal.", valueName: "file"))
    var output: String?

    @OptionGroup var time: TimeOptions

    func validate() throws {
        guard stuckAfter.duration > .zero, stalledAfter.duration > .zero else {
            throw ValidationError("--stuck-after and --stalled-after must be longer than 0s")
        }
    }

    func run() async throws {
        try await reportingFailures(asJSON: format == .json && output == nil) { try await drift() }
    }

    private func drift() async throws {
        let console = Console.standard
        let environment = ProcessEnvironment.current
        let rules = try ignoreRules()
        let prepared = try await PlanPreparation.prepare(paths: paths, global: global, environment: environment, now: time.time) { manifests, lock in
            try await liveState(manifests: manifests, records: lock?.records ?? [], environment: environment, console: console)
        }
        let now = time.time ?? prepared.live.capturedAt ?? Date()
        let detector = DriftDetector(now: now, stuckAfter: stuckAfter.duration, stalledAfter: stalledAfter.duration)
        let report = detector.detect(desired: prepared.manifests, lock: prepared.lock, live: prepared.live, plan: prepared.plan).applying(rules)
        let color = global.useColor(environment: environment.variables, console: console)
        let rendered: String
        do {
            rendered = try report.rendered(as: format, color: output == nil && color)
        } catch {
            throw CommandFailure("snapcopy: the drift report could not be rendered: \(error)")
        }
        if let output {
            do {
                try AtomicFile.write(Array(rendered.utf8), to: output)
            } catch {
                throw CommandFailure("snapcopy: cannot write the report to \(output): \(error)\n  fix: check that the directory exists and is writable")
            }
            console.output(report.summary.line + "\n" + "Report (\(format.rawValue)) written to \(output).\n")
        } else {
            console.output(rendered)
        }
        if report.hasDrift { throw CommandFailure.exit(.changesPresent) }
    }

    /// `.snapcopyignore` (or `--ignore-file`) with the `--ignore` rules after it.
    private func ignoreRules() throws -> IgnoreRules {
        let defaultFile = ((global.lockFile as NSString).deletingLastPathComponent as NSString).appendingPathComponent(".snapcopyignore")
        var rules = IgnoreRules()
        let file = ignoreFile ?? (FileManager.default.fileExists(atPath: defaultFile) ? defaultFile : nil)
        do {
            if let file {
                guard let data = FileManager.default.contents(atPath: file) else {
                    throw CommandFailure("snapcopy: \(file): the ignore file cannot be read\n  fix: check that it exists and is readable, or leave out --ignore-file")
                }
                rules = try IgnoreRules.parse(String(decoding: data, as: UTF8.self), file: file)
            }
            for pattern in ignore { rules = try rules.adding(pattern: pattern) }
        } catch let error as IgnoreRulesError {
            throw CommandFailure("snapcopy: \(error.description)")
        }
        return rules
    }

    /// The captured files when given, else the live API, read through a reader that cannot write.
    private func liveState(manifests: ManifestSet, records: [LockRecord], environment: ProcessEnvironment, console: Console) async throws -> LiveState {
        if !liveStatePaths.isEmpty {
            return try LiveStateSource(paths: liveStatePaths).load()
        }
        let context = try ServiceContext.make(global: global, environment: environment, console: console)
        defer { context.finish() }
        let reader: any SnapshotReader = context.service
        do {
            return try await LiveStateLoader(service: reader, parallelism: context.parallelism)
                .load(copies: manifests.copies, records: records, rules: manifests.rules, now: time.time ?? Date(), findingUnmanagedCopies: true)
        } catch {
            throw ServiceContext.failure(error)
        }
    }
}

extension DriftFormat: ExpressibleByArgument {}
