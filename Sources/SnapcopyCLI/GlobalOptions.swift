import ArgumentParser
import Foundation

/// Options of every command that reads manifests: where entries that name no region go.
struct ManifestOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "The region for entries that name none (after defaults.region), and for STS. Else AWS_REGION, AWS_DEFAULT_REGION, the profile's region.",
        valueName: "region"))
    var region: String?

    @Option(help: ArgumentHelp("Use this profile of ~/.aws/config and ~/.aws/credentials (environment keys are then ignored).", valueName: "name"))
    var profile: String?

    func validate() throws {
        if let region, !Region.isWellFormed(region) {
            throw ValidationError("--region \(region) is not a well-formed region name such as us-east-1")
        }
    }

    /// The region for manifest entries that name none: `--region`, then the environment and profile.
    func fallbackRegion(environment: ProcessEnvironment) -> String? {
        environment.region(explicit: region, profile: profile)
    }
}

/// Options of every command that reads the lock file and talks to the API.
struct GlobalOptions: ParsableArguments {
    /// The largest `--parallelism` accepted.
    static let parallelismRange = 1...256

    @Option(name: .customLong("lock-file"), help: ArgumentHelp("The lock file.", valueName: "path"))
    var lockFile: String = "snapcopy.lock"

    @OptionGroup var manifests: ManifestOptions

    var region: String? { manifests.region }
    var profile: String? { manifests.profile }

    @Option(name: .customLong("endpoint-url"), help: ArgumentHelp(
        "Send API calls (Neptune and STS) to this URL instead of AWS. Else AWS_ENDPOINT_URL_NEPTUNE, AWS_ENDPOINT_URL, the profile's endpoint_url.",
        valueName: "url"))
    var endpointURL: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("At most this many API calls at once (1 to 256).", valueName: "n"))
    var parallelism: Int = 16

    @Flag(help: "Log every API attempt and the call counts to standard error, secrets redacted (also SNAPCOPY_LOG=debug).")
    var debug = false

    @Flag(name: .customLong("no-color"), help: "Never colour the output (colour is also off when NO_COLOR is set to anything but the empty string, or output is not a terminal).")
    var noColor = false

    func validate() throws {
        if !Self.parallelismRange.contains(parallelism) {
            throw ValidationError("--parallelism \(parallelism) is out of range: give a number from \(Self.parallelismRange.lowerBound) to \(Self.parallelismRange.upperBound)")
        }
        if let endpointURL {
            let url = URL(string: endpointURL)
            let scheme = url?.scheme?.lowercased()
            guard scheme == "http" || scheme == "https", let host = url?.host, !host.isEmpty else {
                throw ValidationError("--endpoint-url \(endpointURL) is not a URL such as http://127.0.0.1:5000 or https://rds.us-east-1.amazonaws.com")
            }
        }
    }

    /// The region for manifest entries that name none: `--region`, then the environment and profile.
    func fallbackRegion(environment: ProcessEnvironment) -> String? {
        manifests.fallbackRegion(environment: environment)
    }

    /// Whether the debug log is on (`--debug` or `SNAPCOPY_LOG=debug`).
    func isDebug(environment: ProcessEnvironment) -> Bool {
        debug || environment.requestsDebugLog
    }

    /// The command line that runs `subcommand` with `arguments` and these options again (shell-quoted).
    func commandLine(_ subcommand: String, arguments: [String]) -> String {
        var words = ["snapcopy", subcommand] + arguments
        if lockFile != "snapcopy.lock" { words += ["--lock-file", lockFile] }
        if let region { words += ["--region", region] }
        if let endpointURL { words += ["--endpoint-url", endpointURL] }
        if let profile { words += ["--profile", profile] }
        return words.map(Self.shellQuoted).joined(separator: " ")
    }

    /// `word` as a shell reads it back: bare when it is safe, else in single quotes.
    static func shellQuoted(_ word: String) -> String {
        let safe = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=@,+%")
        if !word.isEmpty && word.allSatisfy({ safe.contains($0) }) { return word }
        return "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// The message of an argument-parsing error, for options built from other options.
    static func message(for error: any Error) -> String {
        GlobalOptions.fullMessage(for: error)
    }

    /// Whether to colour output written to a terminal, given the environment.
    func useColor(environment: [String: String], console: Console) -> Bool {
        Self.colorAllowed(noColor: noColor, environment: environment, isTerminal: console.outputIsTerminal)
    }

    /// Colour only on a terminal, without `--no-color`, with `NO_COLOR` unset or empty (the
    /// convention: set and non-empty turns it off), and not on a `dumb` terminal.
    static func colorAllowed(noColor: Bool, environment: [String: String], isTerminal: Bool) -> Bool {
        !noColor && (environment["NO_COLOR"] ?? "").isEmpty && isTerminal && environment["TERM"] != "dumb"
    }
}

import SnapcopyCore

/// The output format option.
extension OutputFormat: ExpressibleByArgument {}

/// `--now`: the time rules are expanded at, for reproducible plans.
struct TimeOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The time to plan at (ISO 8601), for reproducible plans of rules; default: a capture's CapturedAt, else now.", valueName: "time"))
    var now: String?

    func validate() throws {
        if let now, Timestamp.parse(now) == nil {
            throw ValidationError("--now \(now) is not an ISO 8601 time such as 2026-11-20T03:00:00Z")
        }
    }

    /// The time given, if any.
    var time: Date? { now.flatMap(Timestamp.parse) }
}
