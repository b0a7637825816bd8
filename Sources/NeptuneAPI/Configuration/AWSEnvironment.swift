import Foundation

/// The AWS settings snapcopy reads from an environment dictionary and the shared files.
///
/// The library never reads the process environment: the caller passes the variables in
/// (the CLI passes `ProcessInfo.processInfo.environment`, tests pass a literal), and the home
/// directory comes from that dictionary's `HOME`.
///
/// Precedence, mirroring the AWS CLI:
/// - **Profile**: `--profile` → `AWS_PROFILE` → `AWS_DEFAULT_PROFILE` → `default`.
/// - **Region**: explicit → `AWS_REGION` → `AWS_DEFAULT_REGION` → the profile's `region`.
/// - **Endpoint**: explicit `--endpoint-url` → `AWS_ENDPOINT_URL_NEPTUNE` → `AWS_ENDPOINT_URL`
///   → the profile's `services` section (`neptune = ` / `endpoint_url = ...`) → the profile's
///   `endpoint_url`. `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true` (or the profile's
///   `ignore_configured_endpoint_urls`) keeps only the explicit one.
/// - **Credentials**: see ``makeCredentialProvider(profile:region:stsEndpoint:configuration:)``.
public struct AWSEnvironment: Sendable {
    /// The environment variables.
    public let variables: [String: String]

    /// Wraps an environment dictionary.
    public init(variables: [String: String]) {
        self.variables = variables
    }

    /// A variable's value; empty values count as unset.
    public subscript(name: String) -> String? {
        guard let value = variables[name], !value.isEmpty else { return nil }
        return value
    }

    /// `HOME`, when set.
    public var homeDirectory: String? { self["HOME"] }

    /// `AWS_SHARED_CREDENTIALS_FILE`, or `~/.aws/credentials`.
    public var credentialsFilePath: String? {
        expandingTilde(self["AWS_SHARED_CREDENTIALS_FILE"]) ?? homeDirectory.map { "\($0)/.aws/credentials" }
    }

    /// `AWS_CONFIG_FILE`, or `~/.aws/config`.
    public var configFilePath: String? {
        expandingTilde(self["AWS_CONFIG_FILE"]) ?? homeDirectory.map { "\($0)/.aws/config" }
    }

    /// The profile in effect: explicit, `AWS_PROFILE`, `AWS_DEFAULT_PROFILE`, or `default`.
    public func profileName(explicit: String?) -> String {
        if let explicit, !explicit.isEmpty { return explicit }
        return self["AWS_PROFILE"] ?? self["AWS_DEFAULT_PROFILE"] ?? "default"
    }

    /// Whether a profile was named (explicitly or through the environment) rather than defaulted.
    func profileWasNamed(explicit: String?) -> Bool {
        (explicit.map { !$0.isEmpty } ?? false) || self["AWS_PROFILE"] != nil || self["AWS_DEFAULT_PROFILE"] != nil
    }

    /// Loads the shared credentials and config files (absent files are not an error).
    public func loadSharedConfiguration() throws -> AWSSharedConfiguration {
        let credentialsPath = credentialsFilePath
        let configPath = configFilePath
        return AWSSharedConfiguration(
            credentialsFile: try credentialsPath.flatMap(AWSConfigFile.load(path:)),
            configFile: try configPath.flatMap(AWSConfigFile.load(path:)),
            credentialsPath: credentialsPath,
            configPath: configPath
        )
    }

    /// Resolves the region: explicit → `AWS_REGION` → `AWS_DEFAULT_REGION` → profile `region`.
    /// - Throws: ``CredentialsError`` (kind `noRegion`) naming every place looked at.
    public func resolveRegion(explicit: String?, profile explicitProfile: String? = nil) throws -> String {
        if let explicit, !explicit.isEmpty { return explicit }
        if let region = self["AWS_REGION"] ?? self["AWS_DEFAULT_REGION"] { return region }
        let profile = profileName(explicit: explicitProfile)
        let shared = try loadSharedConfiguration()
        if let region = shared.configSection(profile)?["region"] { return region }
        let file = shared.configPath ?? "~/.aws/config"
        throw CredentialsError(
            kind: .noRegion,
            message: "No AWS region is configured. snapcopy looked at --region, AWS_REGION, AWS_DEFAULT_REGION and the `region` of profile \"\(profile)\" in \(file). Pass --region (for example --region us-east-1) or set AWS_REGION.",
            placesTried: ["--region", "AWS_REGION", "AWS_DEFAULT_REGION", "profile \"\(profile)\" in \(file)"]
        )
    }

    func expandingTilde(_ path: String?) -> String? {
        guard let path else { return nil }
        if path == "~" { return homeDirectory ?? path }
        if path.hasPrefix("~/"), let home = homeDirectory { return home + path.dropFirst() }
        return path
    }
}

extension AWSEnvironment: CustomStringConvertible, CustomReflectable {
    /// The names of the AWS variables set; values are never shown (some are secrets).
    public var description: String {
        let names = variables.keys.filter { $0.hasPrefix("AWS_") }.sorted()
        return "AWSEnvironment(\(names.joined(separator: ", ")))"
    }

    /// A mirror with the variable names only.
    public var customMirror: Mirror {
        Mirror(self, children: ["variables": variables.keys.filter { $0.hasPrefix("AWS_") }.sorted()])
    }
}
