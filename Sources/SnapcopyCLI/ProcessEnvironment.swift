import Foundation
import NeptuneAPI

/// The process environment, read once at the edge and passed down as a value.
struct ProcessEnvironment: Sendable {
    var variables: [String: String]

    static var current: ProcessEnvironment { ProcessEnvironment(variables: ProcessInfo.processInfo.environment) }

    /// The AWS settings view of the same variables (profiles, region, endpoint, credentials).
    var aws: AWSEnvironment { AWSEnvironment(variables: variables) }

    /// The region used when neither a manifest nor `--region` names one: `AWS_REGION`, then
    /// `AWS_DEFAULT_REGION`, then the `region` of the profile in effect (`AWS_PROFILE` or `default`).
    var defaultRegion: String? { region(explicit: nil, profile: nil) }

    /// The region `--region` → `AWS_REGION` → `AWS_DEFAULT_REGION` → the profile's `region`,
    /// or nil when none is set (or the shared config cannot be read; `ServiceContext` reports that).
    func region(explicit: String?, profile: String?) -> String? {
        try? aws.resolveRegion(explicit: explicit, profile: profile)
    }

    /// Whether `SNAPCOPY_LOG=debug` asks for the debug log.
    var requestsDebugLog: Bool {
        variables["SNAPCOPY_LOG"]?.lowercased() == "debug"
    }

    /// The secret values set in the environment, for last-resort redaction of printed messages.
    var secretValues: [String] {
        ["AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_CONTAINER_AUTHORIZATION_TOKEN"].compactMap { name in
            variables[name].flatMap { $0.count >= 8 ? $0 : nil }
        }
    }
}
