import Foundation

/// Output formats for plans and reports.
public enum OutputFormat: String, Sendable, CaseIterable, Codable {
    case text, json, markdown
}

extension Action {
    /// The symbol a text plan shows before the change.
    public var symbol: String {
        switch self {
        case .create: "+"
        case .updateTags: "~"
        case .replace: "-/+"
        case .delete: "-"
        case .adopt: "="
        case .wait: "…"
        case .forget: "x"
        case .noop: " "
        }
    }

    /// A phrase for the change, as in "will be created".
    var phrase: String {
        switch self {
        case .create: "will be created"
        case .updateTags: "will have its tags updated"
        case .replace: "must be replaced"
        case .delete: "will be deleted"
        case .adopt: "will be adopted"
        case .wait: "is waiting"
        case .forget: "will be forgotten (the snapshot is kept)"
        case .noop: "is up to date"
        }
    }

    var color: ANSIColor {
        switch self {
        case .create: .green
        case .updateTags: .yellow
        case .replace: .magenta
        case .delete: .red
        case .adopt: .cyan
        case .wait: .blue
        case .forget: .red
        case .noop: .plain
        }
    }
}

/// ANSI colours, applied only when the renderer is told to.
enum ANSIColor: String {
    case plain = ""
    case red = "\u{1B}[31m"
    case green = "\u{1B}[32m"
    case yellow = "\u{1B}[33m"
    case blue = "\u{1B}[34m"
    case magenta = "\u{1B}[35m"
    case cyan = "\u{1B}[36m"
    case bold = "\u{1B}[1m"
    case dim = "\u{1B}[2m"

    func apply(_ text: String, enabled: Bool) -> String {
        enabled && self != .plain ? rawValue + text + "\u{1B}[0m" : text
    }
}

extension PlanSummary {
    /// `Plan: 2 to create, 1 to update, 0 to replace, 0 to delete, 1 to adopt, 0 to forget; 1 waiting, 3 unchanged.`
    public var line: String {
        var text = "Plan: \(create) to create, \(updateTags) to update, \(replace) to replace, \(delete) to delete, \(adopt) to adopt, \(forget) to forget; \(wait) waiting, \(noop) unchanged."
        if problems > 0 { text += " \(problems) \(problems == 1 ? "error blocks" : "errors block") apply." }
        return text
    }
}

/// Renders a plan for people reading a terminal or a CI log.
public struct TextPlanRenderer: Sendable {
    public var color: Bool

    public init(color: Bool) {
        self.color = color
    }

    public func render(_ plan: Plan) -> String {
        var out = ""
        out.reserveCapacity(plan.changes.count * 360)
        let hasVisible = plan.changes.contains { $0.action != .noop }
        if !hasVisible && plan.problems.isEmpty {
            out += "No changes. The manifests, the lock file and the account agree.\n\n"
        } else if hasVisible {
            out += "snapcopy will perform these actions:\n\n"
        }
        // By index: each change is read in place rather than copied out of the plan.
        for index in plan.changes.indices where plan.changes[index].action != .noop {
            render(plan.changes[index], into: &out)
            out += "\n"
        }
        if !plan.problems.isEmpty {
            out += ANSIColor.red.apply("Errors (these entries block apply):", enabled: color) + "\n\n"
            for problem in plan.problems {
                out += "  " + ANSIColor.red.apply("!", enabled: color) + " " + ANSIColor.bold.apply(problem.target, enabled: color)
                out += " (\(problem.region))\n"
                out += "      from \(problem.source)\n"
                out += "      error: \(problem.message)\n"
                if let location = problem.location { out += "      at \(location)\n" }
                out += "      fix: \(problem.fix)\n\n"
            }
        }
        if !plan.warnings.isEmpty {
            out += ANSIColor.yellow.apply("Warnings:", enabled: color) + "\n\n"
            for warning in plan.warnings { out += "  " + ANSIColor.yellow.apply("?", enabled: color) + " \(warning.region): \(warning.message)\n\n" }
        }
        out += ANSIColor.bold.apply(plan.summary.line, enabled: color) + "\n"
        return out
    }

    /// Appends one change to `out`: written in place, as a plan of 100,000 changes is one long text.
    func render(_ change: PlannedChange, into out: inout String) {
        let c = change.action.color
        out += "  "
        out += c.apply(change.action.symbol, enabled: color)
        out += " "
        out += ANSIColor.bold.apply(change.target, enabled: color)
        out += " ("
        out += change.region
        out += ") "
        out += change.action.phrase
        if change.action == .wait, let percent = change.before?.percentProgress ?? nil, change.before != nil {
            out += " \(percent)%"
        }
        out += "\n"
        out += "      from "
        out += change.source
        out += "\n"
        if let rule = change.rule { out += "      rule \(rule)\n" }
        if let before = change.before, let arn = before.arn, change.action != .create {
            out += "      arn  "
            out += arn
            out += "\n"
        }
        if let key = change.after?.kmsKeyID {
            if let old = change.before?.kmsKeyID, change.action == .replace, KMSKeyReference.matches(desired: key, live: old) == false {
                out += "      kms  \(old) → \(key)\n"
            } else if change.action == .create || change.action == .replace {
                out += "      kms  \(key)\n"
            }
        }
        var first = true
        tagDiffLines(change) { line in
            out += first ? "      tags " : "           "
            first = false
            line(&out)
            out += "\n"
        }
        if !change.dependsOn.isEmpty {
            out += "      after \(change.dependsOn.map { "\($0.target) (\($0.region))" }.joined(separator: ", "))\n"
        }
        for reason in change.reasons {
            out += "      "
            if color {
                out += ANSIColor.dim.apply("why  \(reason)", enabled: color)
            } else {
                out += "why  "
                out += reason
            }
            out += "\n"
        }
    }

    /// Calls `line` with a writer of each tag line of the change, in order.
    private func tagDiffLines(_ change: PlannedChange, _ line: ((inout String) -> Void) -> Void) {
        func sign(_ symbol: String, _ color: ANSIColor, _ out: inout String) {
            out += color.apply(symbol, enabled: self.color)
            out += " "
        }
        switch change.action {
        case .create, .replace:
            for tag in (change.after?.tags ?? Tags()).sorted {
                line { out in
                    sign("+", .green, &out)
                    out += tag.key
                    out += " = "
                    CanonicalJSON.appendQuoted(tag.value, to: &out)
                }
            }
        case .updateTags, .adopt, .noop, .wait:
            for tag in change.tagChanges {
                line { out in
                    switch tag.kind {
                    case .add:
                        sign("+", .green, &out)
                        out += tag.key
                        out += " = "
                        CanonicalJSON.appendQuoted(tag.after ?? "", to: &out)
                    case .remove:
                        sign("-", .red, &out)
                        out += tag.key
                        out += " = "
                        CanonicalJSON.appendQuoted(tag.before ?? "", to: &out)
                    case .change:
                        sign("~", .yellow, &out)
                        out += tag.key
                        out += ": "
                        CanonicalJSON.appendQuoted(tag.before ?? "", to: &out)
                        out += " → "
                        CanonicalJSON.appendQuoted(tag.after ?? "", to: &out)
                    }
                }
            }
        case .delete, .forget:
            break
        }
    }
}

/// Renders a plan as the versioned JSON document described by `schemas/plan.schema.json`.
public struct JSONPlanRenderer: Sendable {
    public init() {}

    /// - Throws: when the plan cannot be encoded (nothing is printed or saved then).
    public func render(_ plan: Plan) throws(CanonicalJSON.EncodingFailure) -> String {
        String(decoding: try CanonicalJSON.encode(plan), as: UTF8.self)
    }
}

/// Renders a plan as Markdown for a pull-request comment.
public struct MarkdownPlanRenderer: Sendable {
    public init() {}

    public func render(_ plan: Plan) -> String {
        var out = "### snapcopy plan\n\n"
        out += "**\(plan.summary.line)**\n\n"
        let visible = plan.changes.filter { $0.action != .noop }
        if !visible.isEmpty {
            out += "| | Action | Target | Region | Source | Details |\n|---|---|---|---|---|---|\n"
            for change in visible {
                var details: [String] = change.tagChanges.map { tag in
                    switch tag.kind {
                    case .add: "+ `\(tag.key)` = `\(tag.after ?? "")`"
                    case .remove: "− `\(tag.key)`"
                    case .change: "~ `\(tag.key)`: `\(tag.before ?? "")` → `\(tag.after ?? "")`"
                    }
                }
                if change.action == .create || change.action == .replace, let tags = change.after?.tags, !tags.isEmpty {
                    details.append("tags: " + tags.sorted.map { "`\($0.key)=\($0.value)`" }.joined(separator: ", "))
                }
                if let rule = change.rule { details.insert("rule `\(rule)`", at: 0) }
                details += change.reasons
                out += "| \(escape(change.action.symbol)) | \(change.action.rawValue) | `\(escape(change.target))` | \(change.region) | `\(escape(change.source))` | \(details.map(escape).joined(separator: "<br>")) |\n"
            }
            out += "\n"
        }
        if !plan.warnings.isEmpty {
            out += "#### Warnings\n\n" + plan.warnings.map { "- \($0.region): \(escape($0.message))\n" }.joined() + "\n"
        }
        if !plan.problems.isEmpty {
            out += "#### Errors (block apply)\n\n| Target | Region | Error | Fix |\n|---|---|---|---|\n"
            for problem in plan.problems {
                out += "| `\(escape(problem.target))` | \(problem.region) | \(escape(problem.message)) | \(escape(problem.fix)) |\n"
            }
            out += "\n"
        }
        return out
    }

    private func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
    }
}
