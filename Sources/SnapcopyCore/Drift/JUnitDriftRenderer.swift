/// Renders a drift report as JUnit XML, so CI systems show drift as failed tests.
///
/// One `<testsuite name="snapcopy drift">` (inside `<testsuites>`) holds one `<testcase
/// classname="REGION" name="TARGET">` per managed copy checked, per other identity with a finding
/// (an `unapplied` entry, an `unmanaged` snapshot), per rule and cluster with an RPO
/// (`name="RULE/CLUSTER"`), and per copy in a region without live data
/// (`<skipped>`), sorted by region and target. A case with drift has one `<failure>` whose `type`
/// is the kind (kinds, comma-separated, when there are several), whose `message` is the
/// explanation, and whose text holds the details; warnings and notes go to `<system-out>`.
/// `tests`, `failures` and `skipped` count the cases. All text is XML-escaped and kept free of
/// characters XML cannot hold.
public struct JUnitDriftRenderer: Sendable {
    public init() {}

    private struct Case {
        var region: String
        var target: String
        var findings: [DriftFinding] = []
        var notes: [String] = []
        var skipped: String?

        var drift: [DriftFinding] { findings.filter(\.isDrift) }
    }

    public func render(_ report: DriftReport) -> String {
        let cases = Self.cases(of: report)
        let failures = cases.filter { !$0.drift.isEmpty }.count
        let skipped = cases.filter { $0.skipped != nil }.count
        let counts = "tests=\"\(cases.count)\" failures=\"\(failures)\" errors=\"0\" skipped=\"\(skipped)\""
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        out += "<testsuites name=\"snapcopy drift\" \(counts)>\n"
        out += "  <testsuite name=\"snapcopy drift\" \(counts)>\n"
        out += "    <properties>\n"
        for (name, value) in [("generatedAt", report.generatedAt),
                              ("stuckAfterSeconds", String(report.thresholds.stuckAfterSeconds)),
                              ("stalledAfterSeconds", String(report.thresholds.stalledAfterSeconds)),
                              ("ignoredFindings", String(report.ignored)),
                              ("summary", report.summary.line)] {
            out += "      <property name=\"\(name)\" value=\"\(Self.attribute(value))\"/>\n"
        }
        out += "    </properties>\n"
        for testCase in cases { out += render(testCase) }
        out += "  </testsuite>\n</testsuites>\n"
        return out
    }

    private func render(_ testCase: Case) -> String {
        var out = "    <testcase classname=\"\(Self.attribute(testCase.region))\" name=\"\(Self.attribute(testCase.target))\""
        let drift = testCase.drift
        let output = testCase.findings.filter { !$0.isDrift }.map { "\($0.kind.rawValue) (warning)\n" + Self.details($0) }
            + testCase.notes.map { "note: \(DriftText.singleLine($0))" }
        guard testCase.skipped != nil || !drift.isEmpty || !output.isEmpty else { return out + "/>\n" }
        out += ">\n"
        if let reason = testCase.skipped {
            out += "      <skipped message=\"\(Self.attribute(reason))\"/>\n"
        }
        if !drift.isEmpty {
            let type = drift.map(\.kind.rawValue).joined(separator: ",")
            let message = drift.map { "\($0.kind.rawValue): \($0.message)" }.joined(separator: "; ")
            let body = drift.map { "\($0.kind.rawValue)\n" + Self.details($0) }.joined(separator: "\n\n")
            out += "      <failure message=\"\(Self.attribute(message))\" type=\"\(Self.attribute(type))\">\(Self.text(body))</failure>\n"
        }
        if !output.isEmpty {
            out += "      <system-out>\(Self.text(output.joined(separator: "\n\n")))</system-out>\n"
        }
        return out + "    </testcase>\n"
    }

    /// The test cases of `report`, by region and target.
    private static func cases(of report: DriftReport) -> [Case] {
        var cases: [CopyIdentity: Case] = [:]
        for identity in report.checked {
            cases[identity] = Case(region: identity.region, target: identity.target)
        }
        for point in report.recoveryPoints {
            cases[point.identity] = Case(region: point.region, target: "\(point.rule)/\(point.cluster)")
        }
        for finding in report.findings {
            cases[finding.identity, default: Case(region: finding.region, target: finding.target)].findings.append(finding)
        }
        for note in report.notes {
            cases[CopyIdentity(region: note.region, target: note.target)]?.notes.append(note.message)
        }
        for region in report.uncheckedRegions {
            for target in region.targets {
                let identity = CopyIdentity(region: region.region, target: target)
                guard cases[identity] == nil else { continue }
                cases[identity] = Case(region: region.region, target: target,
                                       skipped: "not checked: the live state has no data for \(region.region)")
            }
        }
        return cases.sorted { $0.key < $1.key }.map(\.value)
    }

    /// A finding's fields, one per line.
    private static func details(_ finding: DriftFinding) -> String {
        var lines = ["expected: \(finding.expected)", "live: \(finding.live)"]
        if let since = finding.since { lines.append("since: \(since)") }
        for change in finding.tagChanges {
            var line = "tag \(DriftText.key(change.key)): \(change.change.rawValue)"
            if let expected = change.expected { line += ", expected \(CanonicalJSON.quote(expected))" }
            if let live = change.live { line += ", live \(CanonicalJSON.quote(live))" }
            lines.append(line)
        }
        if let action = finding.plannedAction { lines.append("plan: \(action.rawValue)") }
        if let rule = finding.blockedBy { lines.append("blocked by: \(rule)") }
        if let reason = finding.stuckReason { lines.append("stuck: \(reason.rawValue)") }
        if let arn = finding.targetARN { lines.append("target: \(arn)") }
        if let arn = finding.sourceARN { lines.append("source: \(arn)") }
        if let location = finding.location { lines.append("declared at: \(location)") }
        lines.append("why: \(finding.message)")
        return lines.map(DriftText.singleLine).joined(separator: "\n")
    }

    /// `value` escaped for a double-quoted attribute, on one line.
    static func attribute(_ value: String) -> String {
        escape(DriftText.singleLine(value), quotes: true)
    }

    /// `value` escaped for element content (line breaks kept).
    static func text(_ value: String) -> String {
        escape(value, quotes: false)
    }

    private static func escape(_ value: String, quotes: Bool) -> String {
        var out = ""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"" where quotes: out += "&quot;"
            case "'" where quotes: out += "&apos;"
            case "\n", "\t":
                out += quotes ? "&#\(scalar.value);" : String(scalar)
            case "\r":
                out += "&#13;"
            case _ where scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF:
                // Characters XML 1.0 cannot hold, even as references.
                out += DriftText.unicodeEscape(scalar)
            default:
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
