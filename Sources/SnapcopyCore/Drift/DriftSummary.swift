/// Counts of a drift report's findings.
public struct DriftSummary: Sendable, Hashable {
    /// Findings by kind; every kind is present (zero when none).
    public var byKind: [DriftKind: Int]
    /// Findings that are drift.
    public var findings = 0
    /// Findings that are warnings (`source-gone`).
    public var warnings = 0
    /// Managed copies checked.
    public var checked = 0
    /// Findings ignore rules removed.
    public var ignored = 0
    /// Regions the live state had no data for.
    public var regionsNotChecked = 0

    public init() {
        byKind = Dictionary(uniqueKeysWithValues: DriftKind.allCases.map { ($0, 0) })
    }

    public var hasDrift: Bool { findings > 0 }

    public subscript(kind: DriftKind) -> Int { byKind[kind] ?? 0 }

    /// `Drift: 3 findings (1 missing, 2 tags-changed); 1 warning; 40 copies checked.`, or
    /// `No drift: 40 copies checked.`, with ignored findings and regions not checked when there are any.
    public var line: String {
        var head = "No drift"
        if hasDrift {
            let kinds = DriftKind.allCases.filter { $0.severity == .drift && self[$0] > 0 }.map { "\(self[$0]) \($0.rawValue)" }
            head = "Drift: \(Self.count(findings, "finding")) (\(kinds.joined(separator: ", ")))"
        }
        var parts: [String] = []
        if warnings > 0 { parts.append(Self.count(warnings, "warning")) }
        parts.append("\(Self.count(checked, "copy", plural: "copies")) checked")
        if ignored > 0 { parts.append("\(Self.count(ignored, "finding")) ignored") }
        if regionsNotChecked > 0 { parts.append("\(Self.count(regionsNotChecked, "region")) not checked (no live data)") }
        return head + (hasDrift ? "; " : ": ") + parts.joined(separator: "; ") + "."
    }

    static func count(_ n: Int, _ singular: String, plural: String? = nil) -> String {
        "\(n) \(n == 1 ? singular : plural ?? singular + "s")"
    }
}

extension DriftSummary: Codable {
    private enum CodingKeys: String, CodingKey {
        case byKind, findings, warnings, checked, ignored, regionsNotChecked, hasDrift
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init()
        for (kind, count) in try container.decode([DriftKind: Int].self, forKey: .byKind) { byKind[kind] = count }
        findings = try container.decode(Int.self, forKey: .findings)
        warnings = try container.decode(Int.self, forKey: .warnings)
        checked = try container.decode(Int.self, forKey: .checked)
        ignored = try container.decode(Int.self, forKey: .ignored)
        regionsNotChecked = try container.decode(Int.self, forKey: .regionsNotChecked)
    }

    /// Writes the counts, `byKind` keyed by kind name, and `hasDrift`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(byKind, forKey: .byKind)
        try container.encode(findings, forKey: .findings)
        try container.encode(warnings, forKey: .warnings)
        try container.encode(checked, forKey: .checked)
        try container.encode(ignored, forKey: .ignored)
        try container.encode(regionsNotChecked, forKey: .regionsNotChecked)
        try container.encode(hasDrift, forKey: .hasDrift)
    }
}
