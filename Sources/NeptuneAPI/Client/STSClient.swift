import Foundation

/// A client for the two STS calls snapcopy needs: `AssumeRole` and `AssumeRoleWithWebIdentity`.
///
/// Uses the regional endpoint `https://sts.REGION.amazonaws.com/` (or its FIPS, dual-stack or
/// legacy global variant, per the configuration's ``EndpointOptions``) unless an endpoint
/// override is given (`AWS_ENDPOINT_URL_STS`, or the Neptune override, since moto and similar
/// local stacks serve STS on the same port).
public struct STSClient: Sendable {
    /// The STS API version.
    public static let apiVersion = "2011-06-15"

    /// The region requests are signed for (`us-east-1` for the legacy global endpoint).
    public let region: String
    /// The endpoint.
    public let endpoint: URL
    let engine: QueryClient

    /// Creates a client. `credentials` may be `nil` when only web identity is used.
    public init(region: String, endpoint: URL? = nil, credentials: (any CredentialProvider)?, configuration: ClientConfiguration) {
        let signingRegion = endpoint == nil && AWSEndpoint.usesGlobalSTS(region: region, options: configuration.endpointOptions) ? "us-east-1" : region
        self.region = signingRegion
        self.endpoint = endpoint.map(AWSEndpoint.normalized) ?? AWSEndpoint.sts(region: region, options: configuration.endpointOptions)
        engine = QueryClient(
            service: "STS",
            signingName: "sts",
            apiVersion: Self.apiVersion,
            region: signingRegion,
            endpoint: self.endpoint,
            credentials: credentials,
            configuration: configuration
        )
    }

    /// Assumes a role with the client's credentials.
    /// - Parameters:
    ///   - roleARN: The role to assume.
    ///   - sessionName: The role session name (2-64 characters of `[\w+=,.@-]`).
    ///   - externalID: The external ID the role's trust policy requires, if any.
    ///   - durationSeconds: The session length; `nil` for the role's default (1 hour).
    public func assumeRole(roleARN: String, sessionName: String, externalID: String? = nil, durationSeconds: Int? = nil) async throws -> AssumedRoleCredentials {
        var parameters = [("RoleArn", roleARN), ("RoleSessionName", sessionName)]
        if let durationSeconds { parameters.append(("DurationSeconds", String(durationSeconds))) }
        if let externalID { parameters.append(("ExternalId", externalID)) }
        let result = try await engine.call("AssumeRole", parameters)
        return try decode(result, action: "AssumeRole", source: "assume-role \(roleARN)")
    }

    /// Exchanges a web identity (OIDC) token for role credentials. The request is unsigned.
    public func assumeRoleWithWebIdentity(roleARN: String, sessionName: String, webIdentityToken: String, durationSeconds: Int? = nil) async throws -> AssumedRoleCredentials {
        var parameters = [("RoleArn", roleARN), ("RoleSessionName", sessionName), ("WebIdentityToken", webIdentityToken)]
        if let durationSeconds { parameters.append(("DurationSeconds", String(durationSeconds))) }
        let result = try await engine.call("AssumeRoleWithWebIdentity", parameters, signed: false)
        return try decode(result, action: "AssumeRoleWithWebIdentity", source: "web-identity \(roleARN)")
    }

    private func decode(_ result: XMLNode, action: String, source: String) throws -> AssumedRoleCredentials {
        guard let credentials = AssumedRoleCredentials(xml: result, source: source) else {
            throw NeptuneAPIError(code: .unparseableResponse, message: "the response has no <Credentials> with an access key.", httpStatus: 200, action: action, region: region, service: "STS")
        }
        return credentials
    }
}
