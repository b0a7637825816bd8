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

    /// Resolves the IAM Identity Center portal endpoint override: `AWS_ENDPOINT_URL_SSO`, the
    /// services section's `sso` entry, `AWS_ENDPOINT_URL`, the profile's `endpoint_url`; `nil`
    /// means `https://portal.sso.REGION.amazonaws.com`.
    public func resolveSSOEndpoint(profile explicitProfile: String? = nil) throws -> URL? {
        try resolveEndpoint(explicit: nil, serviceKey: "sso", variable: "AWS_ENDPOINT_URL_SSO", profile: explicitProfile)
    }

    /// The FIPS, dual-stack and STS endpoint choices: `AWS_USE_FIPS_ENDPOINT` /
    /// `use_fips_endpoint`, `AWS_USE_DUALSTACK_ENDPOINT` / `use_dualstack_endpoint`,
    /// `AWS_STS_REGIONAL_ENDPOINTS` / `sts_regional_endpoints` (`regional` by default, or `legacy`).
    /// - Throws: ``CredentialsError`` naming the setting when a value is not `true`/`false`
    ///   (or `regional`/`legacy`).
    public func endpointOptions(profile explicitProfile: String? = nil) throws -> EndpointOptions {
        let shared = try loadSharedConfiguration()
        let profile = profileName(explicit: explicitProfile)
        let section = shared.configSection(profile)
        let file = shared.configPath ?? "~/.aws/config"
        func flag(_ variable: String, _ key: String) throws -> Bool {
            let (value, source) = self[variable].map { ($0, variable) } ?? (section?[key].map { ($0, "\(key) of profile \"\(profile)\" in \(file)") } ?? ("false", ""))
            switch value.lowercased() {
            case "true": return true
            case "false": return false
            default: throw CredentialsError(kind: .invalidConfiguration, message: "\(source) is \"\(value)\": use true or false.")
            }
        }
        var options = EndpointOptions(useFIPS: try flag("AWS_USE_FIPS_ENDPOINT", "use_fips_endpoint"), useDualStack: try flag("AWS_USE_DUALSTACK_ENDPOINT", "use_dualstack_endpoint"))
        let (mode, source) = self["AWS_STS_REGIONAL_ENDPOINTS"].map { ($0, "AWS_STS_REGIONAL_ENDPOINTS") } ?? (section?["sts_regional_endpoints"].map { ($0, "sts_regional_endpoints of profile \"\(profile)\" in \(file)") } ?? ("regional", ""))
        switch mode.lowercased() {
        case "regional": options.useLegacyGlobalSTS = false
        case "legacy": options.useLegacyGlobalSTS = true
        default: throw CredentialsError(kind: .invalidConfiguration, message: "\(source) is \"\(mode)\": use regional or legacy.")
        }
        return options
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
