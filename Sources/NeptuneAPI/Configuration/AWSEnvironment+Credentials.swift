import Foundation

extension AWSEnvironment {
    /// Builds the credential provider chain, cached and refreshed before expiry.
    ///
    /// Order, mirroring the AWS CLI:
    /// - With an explicit profile (`--profile`): that profile, then container credentials, then
    ///   EC2 instance metadata. Environment keys and environment web identity are ignored, as
    ///   the CLI does; a missing profile is an error.
    /// - Otherwise:
    ///   1. environment keys `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` / `AWS_SESSION_TOKEN`
    ///      (these win over `AWS_PROFILE`, as in the CLI);
    ///   2. web identity from `AWS_ROLE_ARN` + `AWS_WEB_IDENTITY_TOKEN_FILE` (+ optional
    ///      `AWS_ROLE_SESSION_NAME`), via unsigned STS `AssumeRoleWithWebIdentity`;
    ///   3. the profile from `AWS_PROFILE` (an error if named but missing) or `default`
    ///      (see ``ProfileCredentialProvider`` for the order inside a profile: assume role,
    ///      SSO, keys, `credential_process`);
    ///   4. container credentials (``ContainerCredentialProvider``: ECS, EKS Pod Identity);
    ///   5. EC2 instance metadata, IMDSv2 (``InstanceMetadataCredentialProvider``).
    ///
    /// The whole chain is cached and resolved again shortly before the credentials expire, so
    /// every source is refreshed during a long apply.
    ///
    /// When nothing is found, one ``CredentialsError`` names every place tried.
    ///
    /// - Parameters:
    ///   - explicitProfile: The `--profile` value, if given.
    ///   - region: The region for STS calls (role assumption, web identity).
    ///   - stsEndpoint: The STS endpoint override (``resolveSTSEndpoint(explicit:profile:)``):
    ///     with moto, STS is served on the same port as Neptune.
    ///   - configuration: Transport and policies for STS calls.
    public func makeCredentialProvider(profile explicitProfile: String?, region: String, stsEndpoint: URL?, configuration: ClientConfiguration) -> any CredentialProvider {
        let explicit = explicitProfile.flatMap { $0.isEmpty ? nil : $0 }
        let profileProvider = ProfileCredentialProvider(
            profile: profileName(explicit: explicit),
            environment: self,
            region: region,
            stsEndpoint: stsEndpoint,
            configuration: configuration,
            mustExist: profileWasNamed(explicit: explicit)
        )
        let machine: [any CredentialProvider] = [
            ContainerCredentialProvider(environment: self, transport: ProfileCredentialProvider.directTransport(configuration.transport)),
            InstanceMetadataCredentialProvider(environment: self, profile: explicit, transport: configuration.transport),
        ]
        let providers: [any CredentialProvider]
        if explicit != nil {
            providers = [profileProvider] + machine
        } else {
            let sts = STSClient(region: region, endpoint: stsEndpoint, credentials: nil, configuration: configuration)
            providers = [
                EnvironmentCredentialProvider(environment: self),
                EnvironmentWebIdentityProvider(environment: self, sts: sts, now: configuration.now),
                profileProvider,
            ] + machine
        }
        return CachingCredentialProvider(CredentialProviderChain(providers), now: configuration.now)
    }
}

/// Web identity configured through `AWS_ROLE_ARN` and `AWS_WEB_IDENTITY_TOKEN_FILE`.
struct EnvironmentWebIdentityProvider: CredentialProvider {
    let environment: AWSEnvironment
    let sts: STSClient
    let now: @Sendable () -> Date

    var name: String { "web-identity (environment)" }

    func credentials() async throws -> Credentials {
        switch (environment["AWS_ROLE_ARN"], environment["AWS_WEB_IDENTITY_TOKEN_FILE"]) {
        case let (roleARN?, tokenFile?):
            let sessionName = environment["AWS_ROLE_SESSION_NAME"] ?? AssumeRoleCredentialProvider.defaultSessionName(at: now())
            var credentials = try await WebIdentityCredentialProvider(roleARN: roleARN, tokenFile: tokenFile, sessionName: sessionName, sts: sts).credentials()
            credentials.source = "web identity (environment)"
            return credentials
        case (nil, nil):
            throw CredentialsError.notFound("web identity variables AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE (not set)")
        case (.some, nil):
            throw CredentialsError(kind: .invalidConfiguration, message: "AWS_ROLE_ARN is set but AWS_WEB_IDENTITY_TOKEN_FILE is not: set both for web identity, or unset AWS_ROLE_ARN.")
        case (nil, .some):
            throw CredentialsError(kind: .invalidConfiguration, message: "AWS_WEB_IDENTITY_TOKEN_FILE is set but AWS_ROLE_ARN is not: set both for web identity, or unset AWS_WEB_IDENTITY_TOKEN_FILE.")
        }
    }
}
