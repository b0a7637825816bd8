import ArgumentParser
import Foundation

/// Options every command shares.
struct GlobalOptions: ParsableArguments {
    @Option(name: .customLong("lock-file"), help: ArgumentHelp("The lock file.", valueName: "path"))
    var lockFile: String = "snapcopy.lock"

    @Option(help: ArgumentHelp("The destination region for entries that name none (after defaults.region).", valueName: "region"))
    var region: String?

    @Flag(name: .customLong("no-color"), help: "Never colour the output (colour is also off when NO_COLOR is set or output is not a terminal).")
    var noColor = false

    func validate() throws {
        if let region, !Region.isWellFormed(region) {
            throw ValidationError("--region \(region) is not a well-formed region name such as us-east-1")
        }
    }

    /// Whether to colour output written to a terminal, given the environment.
    func useColor(environment: [String: String], console: Console) -> Bool {
        !noColor && environment["NO_COLOR"] == nil && console.outputIsTerminal && environment["TERM"] != "dumb"
    }
}

import SnapcopyCore

/// The output format option.
extension OutputFormat: ExpressibleByArgument {}
