import SnapcopyCore

/// A plan rendered in the format asked for: shared by `plan` and `show`.
enum PlanOutput {
    static func render(_ plan: Plan, format: OutputFormat, color: Bool) throws -> String {
        switch format {
        case .text:
            return TextPlanRenderer(color: color).render(plan)
        case .markdown:
            return MarkdownPlanRenderer().render(plan)
        case .json:
            do {
                return try JSONPlanRenderer().render(plan)
            } catch {
                throw CommandFailure("snapcopy: the plan could not be rendered: \(error)")
            }
        }
    }
}
