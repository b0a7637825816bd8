import ArgumentParser
import Foundation
import SnapcopyCore

/// `snapcopy show FILE`: a saved plan, or a drift report saved as JSON, printed in another format.
struct ShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Print a plan saved with `plan --out FILE`, or a drift report saved with `drift --format json --output FILE`, in any of its formats.",
        discussion: "Nothing is applied or described. Exit codes: 0 printed, 1 the file is neither a saved plan nor a drift report."
    )

    @Argument(help: ArgumentHelp("A saved plan, or a JSON drift report.", valueName: "file"))
    var file: String

    @Option(help: "Output format: text, json or markdown; junit too for drift reports.")
    var format: Format = .text

    @Flag(name: .customLong("no-color"), help: "Never colour the output.")
    var noColor = false

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json, markdown, junit
    }

    func run() async throws {
        try await reportingFailures(asJSON: format == .json) {
            let console = Console.standard
            guard FileManager.default.fileExists(atPath: file), let data = FileManager.default.contents(atPath: file) else {
                throw CommandFailure("snapcopy: \(file): no such file (or it cannot be read)\n  fix: give a file written by `snapcopy plan PATH... --out FILE` or `snapcopy drift PATH... --format json --output FILE`")
            }
            let color = GlobalOptions.colorAllowed(noColor: noColor, environment: ProcessEnvironment.current.variables,
                                                   isTerminal: console.outputIsTerminal)
            if let report = try Self.driftReport(data, file: file) {
                let drift: DriftFormat = switch format {
                case .text: .text
                case .json: .json
                case .markdown: .markdown
                case .junit: .junit
                }
                do {
                    console.output(try report.rendered(as: drift, color: color))
                } catch {
                    throw CommandFailure("snapcopy: the drift report could not be rendered: \(error)")
                }
                return
            }
            guard let plan = try SavedPlan.read(file) else {
                throw CommandFailure("snapcopy: \(file) is not a saved plan or a drift report\n  fix: give a file written by `snapcopy plan PATH... --out FILE` or `snapcopy drift PATH... --format json --output FILE`")
            }
            let planFormat: OutputFormat
            switch format {
            case .text: planFormat = .text
            case .json: planFormat = .json
            case .markdown: planFormat = .markdown
            case .junit:
                throw CommandFailure("snapcopy: \(file) is a plan, which has no JUnit form\n  fix: use --format text, json or markdown", status: .usage)
            }
            console.output(try PlanOutput.render(plan, format: planFormat, color: color))
        }
    }

    /// The drift report in `data`, or nil when it is not one (it has no `findings`).
    static func driftReport(_ data: Data, file: String) throws -> DriftReport? {
        guard let node = try? JSONParser.parse(Array(data)), node["findings"] != nil, node["formatVersion"] != nil else { return nil }
        guard let version = node["formatVersion"]?.integerValue, version <= DriftReport.currentFormatVersion else {
            throw CommandFailure("snapcopy: \(file): the drift report has a format version this snapcopy does not read\n  fix: make the report with this snapcopy")
        }
        do {
            return try JSONDecoder().decode(DriftReport.self, from: data)
        } catch {
            throw CommandFailure("snapcopy: \(file): the drift report is damaged (\(CanonicalJSON.describe(error)))\n  fix: make it again with `snapcopy drift PATH... --format json --output FILE`")
        }
    }
}
