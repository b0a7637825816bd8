import Foundation

/// The process environment, read once at the edge and passed down as a value.
struct ProcessEnvironment: Sendable {
    var variables: [String: String]

    static var current: ProcessEnvironment { ProcessEnvironment(variables: ProcessInfo.processInfo.environment) }

    /// The region from `AWS_REGION` or `AWS_DEFAULT_REGION`, used when neither a manifest nor `--region` names one.
    var defaultRegion: String? {
        variables["AWS_REGION"].flatMap { $0.isEmpty ? nil : $0 }
            ?? variables["AWS_DEFAULT_REGION"].flatMap { $0.isEmpty ? nil : $0 }
    }
}
