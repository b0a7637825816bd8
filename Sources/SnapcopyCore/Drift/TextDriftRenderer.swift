/// Renders a drift report for a terminal or a CI log: findings grouped by kind, then notes,
/// regions not checked, and the summary line. Every value is kept on one line with no control
/// characters (see ``DriftText/singleLine(_:)``), so a tag value cannot break the layout or drive
/// the terminal.
public struct TextDriftRenderer: Sendable {
    public var color: Bool

    public init(color: Bool) {
        self.color = color
    }

    public func render(_ report: DriftReport) -> String {
        var out = ""
        if report.findings.isEmpty {
            out += "No drift. The manifests, the lock file and the account agree.\n\n"
        }
        for kind in DriftKind.allCases {
            let findings = report.findings.filter { $0.kind == kind }
            guard !findings.isEmpty else { continue }
            let count = kind.severity == .warning ? "\(findings.count), warning" : "\(findings.count)"
            out += ANSIColor.bold.apply("\(kind.rawValue) (\(count)): \(kind.summary)", enabled: color) + "\n\n"
            for finding in findings { out += render(finding) + "\n" }
        }
        if !report.notes.isEmpty {
            out += ANSIColor.bold.apply("Notes:", enabled: color) + "\n\n"
            for note in report.notes {
                out += "  \(line(note.target)) (\(line(note.region))): \(line(note.message))\n"
            }
            out += "\n"
        }
        if !report.uncheckedRegions.isEmpty {
            out += ANSIColor.bold.apply("Not checked (the live state has no data for these regions):", enabled: color) + "\n\n"
            for region in report.uncheckedRegions {
                out += "  \(line(region.region)): \(region.targets.map(line).joined(separator: ", "))\n"
            }
            out += "\n"
        }
        out += ANSIColor.bold.apply(report.summary.line, enabled: color) + "\n"
        return out
    }

    func render(_ finding: DriftFinding) -> String {
        let marker = finding.isDrift ? ANSIColor.red.apply("!", enabled: color) : ANSIColor.yellow.apply("?", enabled: color)
        var out = "  \(marker) " + ANSIColor.bold.apply(line(finding.target), enabled: color) + " (\(line(finding.region))) \(finding.kind.rawValue)\n"
        out += "      expected  \(line(finding.expected))\n"
        out += "      live      \(line(finding.live))\n"
        if let since = finding.since { out += "      since     \(line(since))\n" }
        for (index, change) in finding.tagChanges.enumerated() {
            out += (index == 0 ? "      tags      " : "                ") + tagLine(change) + "\n"
        }
        if let action = finding.plannedAction { out += "      plan      \(action.symbol) \(action.rawValue)\n" }
        if let location = finding.location { out += "      at        \(line(location.description))\n" }
        out += "      " + ANSIColor.dim.apply("why       \(line(finding.message))", enabled: color) + "\n"
        return out
    }

    /// `+ key = "live"` (added on the live copy), `- key = "expected"` (removed), `~ key: "expected" → "live"`.
    private func tagLine(_ change: DriftTagChange) -> String {
        let key = DriftText.key(change.key)
        switch change.change {
        case .added:
            return ANSIColor.green.apply("+", enabled: color) + " \(key) = \(CanonicalJSON.quote(change.live ?? ""))"
        case .removed:
            return ANSIColor.red.apply("-", enabled: color) + " \(key) = \(CanonicalJSON.quote(change.expected ?? ""))"
        case .changed:
            return ANSIColor.yellow.apply("~", enabled: color)
                + " \(key): \(CanonicalJSON.quote(change.expected ?? "")) → \(CanonicalJSON.quote(change.live ?? ""))"
        }
    }

    private func line(_ text: String) -> String { DriftText.singleLine(text) }
}
