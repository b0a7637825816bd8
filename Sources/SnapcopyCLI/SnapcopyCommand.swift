import ArgumentParser
import Foundation

/// The `snapcopy` command: a declarative reconciler for Neptune cluster snapshot copies.
public struct SnapcopyCommand: AsyncParsableCommand {
    public static let version = "0.1.0"

    public static let configuration = CommandConfiguration(
        commandName: "snapcopy",
        abstract: "Declarative copies of Amazon Neptune DB cluster snapshots: validate, plan, apply, report drift.",
        discussion: """
            Exit codes: 0 success; 1 error (invalid manifests, blocked entries, API failures); \
            2 changes present (plan --detailed-exitcode only); 64 usage error.
            """,
        version: version,
        subcommands: [ValidateCommand.self, PlanCommand.self, ApplyCommand.self, CancelCommand.self, ShowCommand.self, RefreshCommand.self, CaptureCommand.self, DriftCommand.self]
    )

    public init() {}

    /// Runs the command line. The one place where errors become exit codes, and where the
    /// process's HTTP transport is shut down, whatever the outcome.
    public static func runCommandLine() async {
        let console = Console.standard
        let command: any ParsableCommand
        do {
            command = try parseAsRoot()
        } catch {
            exit(withError: error)
        }
        // Commands that write the lock file finish what is in flight on a first Ctrl-C; the others stop.
        let writes = command is ApplyCommand || command is CancelCommand || command is RefreshCommand
        let interrupts = CommandInterrupts.process
        let work = Task {
            var command = command
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        }
        if writes {
            interrupts.onInterrupt(farewell: "\nSecond interrupt: exiting now. The lock file journal is consistent; run the command again to converge.\n") {
                FileHandle.standardError.write(Data("\nInterrupt received: finishing calls in flight and recording them; press Ctrl-C again to exit at once.\n".utf8))
            }
        } else {
            interrupts.onInterrupt { work.cancel() }
        }
        let outcome = await work.result
        await SharedTransport.process.shutdown()
        if interrupts.isInterrupted && !writes {
            console.error("snapcopy: interrupted.")
            Foundation.exit(130)
        }
        switch outcome {
        case .success:
            return
        case .failure(let failure as CommandFailure):
            if !failure.message.isEmpty { console.error(failure.message) }
            Foundation.exit(failure.status.rawValue)
        case .failure(let error):
            exit(withError: error)
        }
    }
}

/// Exit statuses, defined once.
public enum ExitStatus: Int32, Sendable {
    case success = 0
    /// Anything went wrong: invalid input, blocked entries, API failures.
    case failure = 1
    /// `--detailed-exitcode` only: the plan has changes.
    case changesPresent = 2
    /// The command line itself is wrong (argument-parser's validation failure code).
    case usage = 64
}

/// A failure the command reports with a message (possibly empty, when the output already said it) and a status.
public struct CommandFailure: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var status: ExitStatus
    /// The failure as a JSON document, when a better one than the generic error document exists
    /// (the diagnostics of invalid manifests).
    public var json: String?

    public init(_ message: String, status: ExitStatus = .failure, json: String? = nil) {
        self.message = message
        self.status = status
        self.json = json
    }

    /// Exits with `status` and prints nothing more.
    public static func exit(_ status: ExitStatus) -> CommandFailure {
        CommandFailure("", status: status)
    }

    public var description: String { message }
}

/// Runs `body`; when the command prints JSON, a failure is also printed as a JSON document on
/// standard output (so a pipeline never reads an empty document), and its message still goes to
/// standard error.
func reportingFailures(asJSON: Bool, _ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let failure as CommandFailure where asJSON && !failure.message.isEmpty {
        Console.standard.result(try failure.json ?? ErrorDocument(failure).json())
        throw failure
    }
}
