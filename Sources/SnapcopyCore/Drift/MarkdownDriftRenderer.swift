import Foundation

/// Renders a drift report as Markdown for an issue or pull-request comment: the summary line, a
/// table of counts by kind, then each finding's details.
///
/// Values go into code spans (fenced with more backticks than they hold); other text is escaped
/// (`\`, `` ` ``, `*`, `_`, `[`, `]`, `<`, `>`, `&`); `|` is escaped in table cells; line breaks and
/// other control characters are written as `\n`, `\u001b`, ..., so no value can end a table row,
/// open a link or inject HTML.
public struct MarkdownDriftRenderer: Sendable {
    public init() {}

    public func render(_ report: DriftReport) -> String {
        let summary = report.summary
        var out = "### snapcopy drift\n\n"
        out += "**\(summary.line)**\n\n"
        let kinds = DriftKind.allCases.filter { summary[$0] > 0 }
        if !kinds.isEmpty {
            out += "| Kind | Findings | Meaning |\n|---|---:|---|\n"
            for kind in kinds {
                let severity = kind.severity == .warning ? " (warning)" : ""
                out += "| \(kind.rawValue)\(severity) | \(summary[kind]) | \(text(kind.summary, inTable: true)) |\n"
            }
            out += "\n#### Details\n\n"
            for finding in report.findings { out += render(finding) }
        }
        if !report.notes.isEmpty {
            out += "#### Notes\n\n"
            for note in report.notes {
                out += "- \(code(note.target)) (\(text(note.region))): \(text(note.message))\n"
            }
            out += "\n"
        }
        if !report.uncheckedRegions.isEmpty {
            out += "#### Not checked\n\nThe live state has no data for these regions:\n\n"
            for region in report.uncheckedRegions {
                out += "- \(text(region.region)): \(region.targets.map { code($0) }.joined(separator: ", "))\n"
            }
            out += "\n"
        }
        let stuck = DriftDuration.format(Double(report.thresholds.stuckAfterSeconds))
        let stalled = DriftDuration.format(Double(report.thresholds.stalledAfterSeconds))
        out += "<sub>Checked at \(text(report.generatedAt)); a copy is stuck after \(stuck) in progress or \(stalled) without progress.</sub>\n"
        return out
    }

    private func render(_ finding: DriftFinding) -> String {
        let severity = finding.isDrift ? "" : " (warning)"
        var out = "##### \(finding.kind.rawValue)\(severity): \(code(finding.target)) in \(text(finding.region))\n\n"
        out += "\(text(finding.message))\n\n"
        out += "- **Expected:** \(code(finding.expected))\n"
        out += "- **Live:** \(code(finding.live))\n"
        if let since = finding.since { out += "- **Since:** \(text(since))\n" }
        if let action = finding.plannedAction { out += "- **Plan:** \(action.rawValue)\n" }
        if let rule = finding.blockedBy { out += "- **Blocked by:** \(code(rule))\n" }
        if let location = finding.location { out += "- **Declared at:** \(code(location.description))\n" }
        out += "\n"
        if !finding.tagChanges.isEmpty {
            out += "| Tag | Change | Expected | Live |\n|---|---|---|---|\n"
            for change in finding.tagChanges {
                let expected = change.expected.map { code(CanonicalJSON.quote($0), inTable: true) } ?? "—"
                let live = change.live.map { code(CanonicalJSON.quote($0), inTable: true) } ?? "—"
                out += "| \(code(change.key, inTable: true)) | \(change.change.rawValue) | \(expected) | \(live) |\n"
            }
            out += "\n"
        }
        return out
    }

    /// `value` as a code span on one line; in a table, with `|` escaped.
    func code(_ value: String, inTable: Bool = false) -> String {
        var body = DriftText.singleLine(value)
        if inTable { body = body.replacingOccurrences(of: "|", with: "\\|") }
        if body.isEmpty { return "` `" }
        var longest = 0, run = 0
        for character in body {
            run = character == "`" ? run + 1 : 0
            longest = max(longest, run)
        }
        let fence = String(repeating: "`", count: longest + 1)
        let padded = body.hasPrefix("`") || body.hasSuffix("`") || (body.first == " " && body.last == " ") ? " \(body) " : body
        return fence + padded + fence
    }

    /// `value` as escaped Markdown text on one line; in a table, with `|` escaped.
    func text(_ value: String, inTable: Bool = false) -> String {
        var out = ""
        for character in DriftText.singleLine(value) {
            switch character {
            case "\\", "`", "*", "_", "[", "]", "#": out += "\\\(character)"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "&": out += "&amp;"
            case "|": out += inTable ? "\\|" : "|"
            default: out.append(character)
            }
        }
        return out
    }
}
