import Foundation
import Testing
import TestSupport
@testable import NeptuneAPI

/// IMDSv2, container and SSO providers through a scripted transport: the exact requests, and how
/// answers and failures are read. No network.
@Suite("Instance metadata, container and SSO providers (scripted transport)")
struct MachineCredentialTests {
    static let credentialsJSON = #"{"Code": "Success", "AccessKeyId": "ASIAMACHINE000001", "SecretAccessKey": "machine/secret", "Token": "machine-token", "Expiration": "2030-01-01T00:00:00Z"}"#

    // MARK: - IMDSv2

    @Test("IMDSv2: PUT a token with the TTL header, then list the role and read its credentials with the token, 1 s each")
    func imdsSequence() async throws {
        let transport = ScriptedTransport([
            .response(HTTPResponse(status: 200, text: "session-token-1")),
            .response(HTTPResponse(status: 200, text: "the-role\n")),
            .response(HTTPResponse(status: 200, text: Self.credentialsJSON)),
        ])
        let environment = AWSEnvironment(variables: ["HOME": "/nonexistent", "AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://127.0.0.1:1338"])
        let credentials = try await InstanceMetadataCredentialProvider(environment: environment, transport: transport).credentials()
        #expect(credentials.accessKeyID == "ASIAMACHINE000001" && credentials.sessionToken == "machine-token")
        #expect(credentials.expiration == AWSTimestamp.parse("2030-01-01T00:00:00Z"))
        let requests = await transport.requests
        #expect(requests.map { "\($0.method) \($0.url.absoluteString)" } == [
            "PUT http://127.0.0.1:1338/latest/api/token",
            "GET http://127.0.0.1:1338/latest/meta-data/iam/security-credentials/",
            "GET http://127.0.0.1:1338/latest/meta-data/iam/security-credentials/the-role",
        ])
        #expect(requests[0].header("x-aws-ec2-metadata-token-ttl-seconds") == "21600")
        #expect(requests[1].header("x-aws-ec2-metadata-token") == "session-token-1")
        #expect(requests[2].header("x-aws-ec2-metadata-token") == "session-token-1")
        #expect(requests.allSatisfy { $0.timeout == .seconds(1) })
    }

    @Test("IMDS endpoint: the default, IPv6 mode, the profile's setting; disabled means no request at all")
    func imdsEndpoints() async throws {
        try withTemporaryHome { home, environment in
            #expect(try InstanceMetadataCredentialProvider(environment: environment([:]), transport: ScriptedTransport()).settings().endpoint.absoluteString == "http://169.254.169.254")
            #expect(try InstanceMetadataCredentialProvider(environment: environment(["AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE": "IPv6"]), transport: ScriptedTransport()).settings().endpoint.absoluteString == "http://[fd00:ec2::254]")
            try "[default]\nec2_metadata_service_endpoint = http://127.0.0.1:9\nmetadata_service_timeout = 2\nmetadata_service_num_attempts = 3\n".write(toFile: "\(home)/.aws/config", atomically: true, encoding: .utf8)
            let settings = try InstanceMetadataCredentialProvider(environment: environment([:]), transport: ScriptedTransport()).settings()
            #expect(settings.endpoint.absoluteString == "http://127.0.0.1:9" && settings.timeout == .seconds(2) && settings.attempts == 3)
        }
        let transport = ScriptedTransport()
        let disabled = AWSEnvironment(variables: ["AWS_EC2_METADATA_DISABLED": "TRUE", "AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://127.0.0.1:1"])
        await #expect(throws: CredentialsError.self) { try await InstanceMetadataCredentialProvider(environment: disabled, transport: transport).credentials() }
        #expect(await transport.requests.isEmpty)
    }

    @Test("IMDS without an instance profile, or refusing IMDSv2 tokens, lets the chain move on")
    func imdsNothing() async throws {
        for steps: [ScriptedTransport.Step] in [
            [.response(HTTPResponse(status: 403, text: ""))],
            [.response(HTTPResponse(status: 200, text: "t")), .response(HTTPResponse(status: 404, text: ""))],
            [.failure(TransportError(kind: .timedOut, detail: "x"))],
        ] {
            let environment = AWSEnvironment(variables: ["AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://127.0.0.1:1338"])
            do {
                _ = try await InstanceMetadataCredentialProvider(environment: environment, transport: ScriptedTransport(steps)).credentials()
                Issue.record("expected notFound")
            } catch let error as CredentialsError {
                #expect(error.kind == .notFound)
                #expect(error.placesTried.first?.hasPrefix("EC2 instance metadata (IMDSv2) at 127.0.0.1:1338") == true)
            }
        }
    }

    // MARK: - Container credentials

    @Test("RELATIVE_URI is a path on 169.254.170.2; the token goes in Authorization")
    func containerRelative() async throws {
        let transport = ScriptedTransport([.response(HTTPResponse(status: 200, text: Self.credentialsJSON))])
        let environment = AWSEnvironment(variables: ["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/credentials/abc", "AWS_CONTAINER_AUTHORIZATION_TOKEN": "tok"])
        _ = try await ContainerCredentialProvider(environment: environment, transport: transport).credentials()
        let request = try #require(await transport.requests.first)
        #expect(request.url.absoluteString == "http://169.254.170.2/v2/credentials/abc")
        #expect(request.header("authorization") == "tok")
        #expect(request.timeout == .seconds(2))
    }

    @Test("FULL_URI host rules: https anywhere; http only to loopback and the SDKs' hosts",
          arguments: [
            ("https://credentials.example.com/v1", true), ("http://127.0.0.1:80/c", true), ("http://127.1.2.3/c", true),
            ("http://[::1]:8080/c", true), ("http://localhost/c", true), ("http://169.254.170.2/c", true),
            ("http://169.254.170.23/v1/credentials", true), ("http://[fd00:ec2::23]/v1/credentials", true),
            ("http://169.254.169.254/c", false), ("http://credentials.example.com/c", false), ("http://10.0.0.1/c", false),
          ])
    func containerHosts(uri: String, allowed: Bool) throws {
        let provider = ContainerCredentialProvider(environment: AWSEnvironment(variables: ["AWS_CONTAINER_CREDENTIALS_FULL_URI": uri]), transport: ScriptedTransport())
        if allowed {
            #expect(try provider.endpoint().0.absoluteString == uri)
        } else {
            #expect(throws: CredentialsError.self) { try provider.endpoint() }
        }
    }

    @Test("the token file is read again on every fetch (EKS rotates it); 5xx is retried, 4xx is not")
    func containerTokenFileAndRetries() async throws {
        try await withTemporaryDirectory { directory in
            let tokenFile = try directory.write("first\n", to: "token")
            let environment = AWSEnvironment(variables: ["AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://127.0.0.1:9/c", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": tokenFile.path])
            let transport = ScriptedTransport([
                .response(HTTPResponse(status: 200, text: Self.credentialsJSON)),
                .response(HTTPResponse(status: 503, text: "")),
                .response(HTTPResponse(status: 200, text: Self.credentialsJSON)),
                .response(HTTPResponse(status: 403, text: "")),
            ])
            let sleeper = RecordingSleeper()
            let provider = ContainerCredentialProvider(environment: environment, transport: transport, sleeper: sleeper)
            _ = try await provider.credentials()
            _ = try directory.write("second", to: "token")
            _ = try await provider.credentials()
            await #expect(throws: CredentialsError.self) { try await provider.credentials() }
            let requests = await transport.requests
            #expect(requests.map { $0.header("authorization") ?? "" } == ["first", "second", "second", "second"])
            #expect(await sleeper.sleeps == [.seconds(1)])
        }
    }

    // MARK: - SSO

    @Test("the token cache file is named by the SHA-1 of the session name, or of the start URL")
    func ssoCacheKey() {
        let session = SSOCredentialProvider.Configuration(profile: "p", session: "corp", startURL: "https://corp.awsapps.com/start", region: "eu-west-1", accountID: "1", roleName: "R")
        let legacy = SSOCredentialProvider.Configuration(profile: "p", session: nil, startURL: "https://legacy.awsapps.com/start", region: "eu-west-1", accountID: "1", roleName: "R")
        #expect(session.cacheKey == "ee0bfd2552fbd840c02cc48b6e823320543c450f")
        #expect(legacy.cacheKey == "79e435d7a515078e81c9dffc35f38d5687ebd3a7")
    }

    @Test("GetRoleCredentials: GET /federation/credentials with the bearer token header; expiration in milliseconds")
    func ssoRequest() async throws {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("snapcopy-sso-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: "\(home)/.aws/sso/cache", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: home) }
        try #"{"accessToken": "bearer-1", "expiresAt": "2031-01-01T00:00:00Z"}"#.write(toFile: "\(home)/.aws/sso/cache/ee0bfd2552fbd840c02cc48b6e823320543c450f.json", atomically: true, encoding: .utf8)
        let transport = ScriptedTransport([.response(HTTPResponse(status: 200, text: #"{"roleCredentials": {"accessKeyId": "ASIASSO0000000001", "secretAccessKey": "s", "sessionToken": "t", "expiration": 1924992000000}}"#))])
        let configuration = SSOCredentialProvider.Configuration(profile: "corp", session: "corp", startURL: "https://corp.awsapps.com/start", region: "eu-west-1", accountID: "123456789012", roleName: "Ops")
        let provider = SSOCredentialProvider(configuration: configuration, environment: AWSEnvironment(variables: ["HOME": home]), endpoint: nil, transport: transport, now: { vectorDate })
        let credentials = try await provider.credentials()
        #expect(credentials.accessKeyID == "ASIASSO0000000001")
        #expect(credentials.expiration == Date(timeIntervalSince1970: 1_924_992_000))
        let request = try #require(await transport.requests.first)
        #expect(request.url.absoluteString == "https://portal.sso.eu-west-1.amazonaws.com/federation/credentials?account_id=123456789012&role_name=Ops")
        #expect(request.header("x-amz-sso_bearer_token") == "bearer-1")
        #expect(!"\(request)".contains("bearer-1"))
    }

    // MARK: - Assume role settings

    @Test("role_session_name, external_id and duration_seconds are sent with AssumeRole")
    func assumeRoleSettings() async throws {
        try await withTemporaryDirectory { directory in
            _ = try directory.write("""
                [profile base]
                aws_access_key_id = AKIABASE000000001
                aws_secret_access_key = base/secret
                [profile deploy]
                role_arn = arn:aws:iam::123456789012:role/deploy
                source_profile = base
                role_session_name = nightly
                external_id = partner-42
                duration_seconds = 1800
                """, to: ".aws/config")
            let transport = ScriptedTransport([xmlResponse(XMLFixtures.assumeRole(accessKeyID: "ASIAROLE0000000001", expiration: "2030-01-01T00:00:00Z"))])
            let configuration = ClientConfiguration(transport: transport, sleeper: RecordingSleeper(), now: { vectorDate })
            let provider = AWSEnvironment(variables: ["HOME": directory.url.path, "AWS_EC2_METADATA_DISABLED": "true"])
                .makeCredentialProvider(profile: "deploy", region: "us-east-1", stsEndpoint: URL(string: "http://127.0.0.1:5999"), configuration: configuration)
            _ = try await provider.credentials()
            let request = try #require(await transport.requests.first)
            let parameters = formParameters(request.body)
            #expect(parameters["Action"] == "AssumeRole")
            #expect(parameters["RoleSessionName"] == "nightly")
            #expect(parameters["ExternalId"] == "partner-42")
            #expect(parameters["DurationSeconds"] == "1800")
            #expect(request.header("authorization")?.contains("Credential=AKIABASE000000001/") == true)
        }
    }
}
