import ArgumentParser
import SnapcopyCore

/// `snapcopy validate PATH...`: offline checks of manifests.
struct ValidateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check manifests offline: JSON syntax, the manifest format and the API's own rules.",
        discussion: "Every problem is reported at once, each with its file, line, JSON path and fix. Exit 0 when valid, 1 when not."
    )

    @Argument(help: ArgumentHelp("Manifest files, or directories read recursively for *.json.", valueName: "path"))
    var paths: [String]

    @OptionGroup var options: ManifestOptions

    @Option(help: "Output format: text or json.")
    var format: Format = .text

    /// What validate prints.
    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json
    }

    func run() async throws {
        let console = Console.standard
        let environment = ProcessEnvironment.current
        var sources: [ManifestSource] = []
        try await reportingFailures(asJSON: format == .json) { sources = try ManifestFiles.read(paths) }
        let manifests = ManifestLoader(fallbackRegion: options.fallbackRegion(environment: environment)).load(sources)
        let report = ValidationReport(files: paths, manifests: manifests)
        switch format {
        case .json: console.output(try report.json())
        case .text: console.output(report.text())
        }
        if !manifests.isValid { throw CommandFailure.exit(.failure) }
    }
}

/// The result of `validate`, rendered.
struct ValidationReport {
    var files: [String]
    var manifests: ManifestSet

    func text() -> String {
        guard !manifests.isValid else {
            let rules = manifests.rules.isEmpty ? "" : " and \(manifests.rules.count) \(manifests.rules.count == 1 ? "rule" : "rules")"
            return "Valid: \(manifests.copies.count) \(manifests.copies.count == 1 ? "copy" : "copies")\(rules) declared.\n"
        }
        var out = manifests.diagnostics.map(\.description).joined(separator: "\n") + "\n"
        out += "\n\(manifests.diagnostics.count) \(manifests.diagnostics.count == 1 ? "problem" : "problems") found.\n"
        return out
    }

    func json() throws -> String {
        struct Document: Encodable {
            var formatVersion = 1
            var valid: Bool
            var copies: Int
            var rules: Int
            var diagnostics: [Diagnostic]
        }
        let document = Document(valid: manifests.isValid, copies: manifests.copies.count, rules: manifests.rules.count, diagnostics: manifests.diagnostics)
        do {
            return String(decoding: try CanonicalJSON.encode(document), as: UTF8.self)
        } catch {
            throw CommandFailure("snapcopy: the diagnostics could not be rendered: \(error)")
        }
    }
}
