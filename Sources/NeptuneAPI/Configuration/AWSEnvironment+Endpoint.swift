import Foundation

extension AWSEnvironment {
    /// Resolves the Neptune endpoint override; `nil` means the AWS endpoint for the region.
    ///
    /// Order: `explicit` → `AWS_ENDPOINT_URL_NEPTUNE` → `AWS_ENDPOINT_URL` → the profile's
    /// `services` section entry `neptune` → `endpoint_url` → the profile's `endpoint_url`.
    /// - Throws: ``CredentialsError`` (kind `invalidEndpoint`) for a value that is not an
    ///   `http(s)://host` URL, naming where it came from.
    public func resolveEndpoint(explicit: String?, profile explicitProfile: String? = nil) throws -> URL? {
        try resolveEndpoint(explicit: explicit, serviceKey: "neptune", variable: "AWS_ENDPOINT_URL_NEPTUNE", profile: explicitProfile)
    }

    /// Resolves the STS endpoint override.
    ///
    /// STS follows the same override as Neptune when one is configured, because local stacks
    /// such as moto serve every service on one port: `AWS_ENDPOINT_URL_STS` or the services
    /// section's `sts` entry if set, otherwise the Neptune override
    /// (``resolveEndpoint(explicit:profile:)``), otherwise `nil` (regional AWS STS).
    public func resolveSTSEndpoint(explicit: String?, profile explicitProfile: String? = nil) throws -> URL? {
        if let explicit, !explicit.isEmpty { return try validatedEndpoint(explicit, source: "--endpoint-url") }
        if let specific = try resolveEndpoint(explicit: nil, serviceKey: "sts", variable: "AWS_ENDPOINT_URL_STS", profile: explicitProfile, includeGlobal: false) {
            return specific
        }
        return try resolveEndpoint(explicit: nil, profile: explicitProfile)
    }

    private func resolveEndpoint(explicit: String?, serviceKey: String, variable: String, profile explicitProfile: String?, includeGlobal: Bool = true) throws -> URL? {
        if let explicit, !explicit.isEmpty { return try validatedEndpoint(explicit, source: "--endpoint-url") }
        let shared = try loadSharedConfiguration()
        let profile = profileName(explicit: explicitProfile)
        let section = shared.configSection(profile)
        let ignore = (self["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"] ?? section?["ignore_configured_endpoint_urls"])?.lowercased() == "true"
        if ignore { return nil }
        if let value = self[variable] { return try validatedEndpoint(value, source: variable) }
        if includeGlobal, let value = self["AWS_ENDPOINT_URL"] { return try validatedEndpoint(value, source: "AWS_ENDPOINT_URL") }
        let file = shared.configPath ?? "~/.aws/config"
        if let servicesName = section?["services"], let value = shared.servicesSection(servicesName)?.nested[serviceKey]?["endpoint_url"], !value.isEmpty {
            return try validatedEndpoint(value, source: "[services \(servicesName)] \(serviceKey).endpoint_url in \(file)")
        }
        if includeGlobal, let value = section?["endpoint_url"] {
            return try validatedEndpoint(value, source: "endpoint_url of profile \"\(profile)\" in \(file)")
        }
        return nil
    }

    /// Parses an endpoint URL, requiring `http` or `https` and a host.
    func validatedEndpoint(_ value: String, source: String) throws -> URL {
        guard let url = URL(string: value.trimmingXMLWhitespace()),
              let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = url.host, !host.isEmpty
        else {
            throw CredentialsError(kind: .invalidEndpoint, message: "The endpoint URL \"\(value)\" from \(source) is not valid: use a URL such as http://127.0.0.1:5000 or https://rds.us-east-1.amazonaws.com.")
        }
        return url
    }
}
