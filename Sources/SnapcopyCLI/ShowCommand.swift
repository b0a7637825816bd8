import ArgumentParser
import Foundation
import SnapcopyCore

/// `snapcopy show PLANFILE`: a saved plan, printed without applying it.
struct ShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Print a plan saved with `snapcopy plan --out FILE`, in any plan format, without applying it.",
        discussion: "Exit codes: 0 printed, 1 the file is not a readable saved plan."
    )

    @Argument(help: ArgumentHelp("A plan saved with `snapcopy plan --out FILE`.", valueName: "planfile"))
    var planFile: String

    @Option(help: "Output format: text, json or markdown.")
    var format: OutputFormat = .text

    @Flag(name: .customLong("no-color"), help: "Never colour the output.")
    var noColor = false

    func run() async throws {
        try await reportingFailures(asJSON: format == .json) {
            let console = Console.standard
            guard FileManager.default.fileExists(atPath: planFile) else {
                throw CommandFailure("snapcopy: \(planFile): no such file\n  fix: give a file written by `snapcopy plan PATH... --out FILE`")
            }
            guard let plan = try SavedPlan.read(planFile) else {
                throw CommandFailure("snapcopy: \(planFile) is not a saved plan\n  fix: give a file written by `snapcopy plan PATH... --out FILE`")
            }
            let color = GlobalOptions.colorAllowed(noColor: noColor, environment: ProcessEnvironment.current.variables,
                                                   isTerminal: console.outputIsTerminal)
            console.output(try PlanOutput.render(plan, format: format, color: color))
        }
    }
}
