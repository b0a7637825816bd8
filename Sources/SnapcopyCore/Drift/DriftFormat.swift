/// The formats a drift report is rendered in.
public enum DriftFormat: String, Sendable, Hashable, CaseIterable, Codable {
    /// For a terminal or a CI log: grouped by kind, with a summary line.
    case text
    /// The versioned document of `schemas/drift.schema.json`.
    case json
    /// For an issue or pull-request comment: a summary table, then details.
    case markdown
    /// JUnit XML: one test case per managed copy, failing where it drifted.
    case junit
}

extension DriftReport {
    /// The report rendered in `format`; `color` applies to text only.
    /// - Throws: when the JSON form cannot be encoded (nothing is printed or written then).
    public func rendered(as format: DriftFormat, color: Bool = false) throws(CanonicalJSON.EncodingFailure) -> String {
        switch format {
        case .text: TextDriftRenderer(color: color).render(self)
        case .json: try JSONDriftRenderer().render(self)
        case .markdown: MarkdownDriftRenderer().render(self)
        case .junit: JUnitDriftRenderer().render(self)
        }
    }
}

/// Renders a drift report as the versioned JSON document described by `schemas/drift.schema.json`.
public struct JSONDriftRenderer: Sendable {
    public init() {}

    /// Canonical JSON: sorted keys, two-space indent, trailing newline.
    /// - Throws: when the report cannot be encoded.
    public func render(_ report: DriftReport) throws(CanonicalJSON.EncodingFailure) -> String {
        String(decoding: try CanonicalJSON.encode(report), as: UTF8.self)
    }
}
