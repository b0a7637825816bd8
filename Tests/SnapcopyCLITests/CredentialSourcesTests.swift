import Foundation
import NeptuneAPI
import Testing
import TestSupport

/// Every new credential source end to end: the built binary, no access keys in its environment,
/// credentials from a local fake (IMDSv2, container endpoint, SSO portal behind
/// `AWS_ENDPOINT_URL_SSO`), calls to fake_neptune signed with them; and no secret in the output.
@Suite("credential sources end to end (built binary, local fakes)", .serialized,
       .enabled(if: MotoAvailability.isAvailable, "python3 with moto is not available: skipping the credential source tests"))
struct CredentialSourcesTests {
    // MARK: - EC2 instance metadata (IMDSv2)

    @Test("IMDSv2: a token with a TTL, then the role's credentials sign every call; nothing secret is printed")
    func instanceMetadata() async throws {
        try await withFakeEdge(.imds, token: "imds-session-token-do-not-print") { imds in
            try await CredentialWorkspace.with(.sources) { workspace, server in
                _ = try await workspace.writeWorld()
                workspace.environment["AWS_EC2_METADATA_DISABLED"] = nil
                workspace.environment["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = imds.endpoint.absoluteString
                let run = try await workspace.plan(["--debug"])
                #expect(run.exitCode == 0, "\(run.output)")
                let stats = try await imds.stats()
                #expect(stats.tokenRequests == 1 && stats.rejected == 0 && stats.issued.count == 1)
                let used = try await server.stats().accessKeys
                #expect(!used.isEmpty && used.keys.allSatisfy { $0.hasPrefix("ASIAFAKEIMDS") }, "\(used)")
                #expect(run.stderr.contains("EC2 instance metadata"))
                for secret in ["imds-session-token-do-not-print", "fake-secret-imds-1", "fake-session-token-imds-1"] {
                    #expect(!run.output.contains(secret))
                }
            }
        }
    }

    @Test("AWS_EC2_METADATA_DISABLED=true: IMDS is never asked, and the error lists every place tried")
    func instanceMetadataDisabled() async throws {
        try await withFakeEdge(.imds) { imds in
            try await CredentialWorkspace.with(.sources) { workspace, server in
                _ = try await workspace.writeWorld()
                workspace.environment["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = imds.endpoint.absoluteString
                let run = try await workspace.plan()
                #expect(run.exitCode == 1)
                let home = workspace.directory.url.path
                #expect(run.stderr == """
                    snapcopy: No AWS credentials found.
                      looked at:
                        1. environment variables AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (not set)
                        2. web identity variables AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE (not set)
                        3. profile "default" in the shared credentials file \(home)/.aws/credentials (file not found)
                        4. profile "default" in the config file \(home)/.aws/config (file not found)
                        5. container credentials AWS_CONTAINER_CREDENTIALS_RELATIVE_URI / AWS_CONTAINER_CREDENTIALS_FULL_URI (not set)
                        6. EC2 instance metadata (IMDSv2; off: AWS_EC2_METADATA_DISABLED=true)
                      fix: Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, configure a profile (aws configure, or aws configure sso and aws sso login), or pass --profile NAME.

                    """)
                #expect(try await imds.stats().requests == 0)
                #expect(try await server.stats().callsByAction.isEmpty)
            }
        }
    }

    @Test("an IMDS that never answers costs one short timeout, then the chain reports it")
    func instanceMetadataSilent() async throws {
        let silent = try SilentListener()
        try await CredentialWorkspace.with(.sources) { workspace, _ in
            _ = try await workspace.writeWorld()
            workspace.environment["AWS_EC2_METADATA_DISABLED"] = nil
            workspace.environment["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = "http://127.0.0.1:\(silent.port)"
            let started = ContinuousClock.now
            let run = try await workspace.plan(timeout: .seconds(30))
            let elapsed = ContinuousClock.now - started
            #expect(run.exitCode == 1)
            #expect(run.stderr.contains("6. EC2 instance metadata (IMDSv2) at 127.0.0.1:\(silent.port) (no answer: the request timed out)"), "\(run.stderr)")
            // One attempt with a 1 s timeout, not the 120 s request timeout of API calls.
            #expect(elapsed < .seconds(20), "took \(elapsed)")
        }
    }

    // MARK: - Container credentials

    @Test("container credentials from FULL_URI, with the token in the variable or a file; the token is never printed",
          arguments: [false, true])
    func container(tokenInFile: Bool) async throws {
        let token = "container-auth-token-do-not-print"
        try await withFakeEdge(.container, token: token) { container in
            try await CredentialWorkspace.with(.sources) { workspace, server in
                _ = try await workspace.writeWorld()
                workspace.environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = container.endpoint.appendingPathComponent("v1/credentials").absoluteString
                if tokenInFile {
                    workspace.environment["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"] = try workspace.directory.write(token + "\n", to: "eks-token").path
                } else {
                    workspace.environment["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = token
                }
                let run = try await workspace.plan(["--debug"])
                #expect(run.exitCode == 0, "\(run.output)")
                let stats = try await container.stats()
                #expect(stats.rejected == 0 && stats.issued.count == 1)
                let used = try await server.stats().accessKeys
                #expect(!used.isEmpty && used.keys.allSatisfy { $0.hasPrefix("ASIAFAKECONT") }, "\(used)")
                for secret in [token, "fake-secret-cont-1", "fake-session-token-cont-1"] {
                    #expect(!run.output.contains(secret))
                }
            }
        }
    }

    @Test("a wrong container token: the endpoint's 401 is reported with the setting to check, not the token")
    func containerWrongToken() async throws {
        try await withFakeEdge(.container, token: "the-right-token") { container in
            try await CredentialWorkspace.with(.sources) { workspace, server in
                _ = try await workspace.writeWorld()
                workspace.environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = container.endpoint.absoluteString + "/v1/credentials"
                workspace.environment["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = "a-wrong-token-do-not-print"
                let run = try await workspace.plan(["--debug"])
                #expect(run.exitCode == 1)
                #expect(run.stderr.contains("The container credentials endpoint 127.0.0.1:\(container.port) (from AWS_CONTAINER_CREDENTIALS_FULL_URI) answered HTTP 401. Check AWS_CONTAINER_AUTHORIZATION_TOKEN"), "\(run.stderr)")
                #expect(!run.output.contains("a-wrong-token-do-not-print"))
                #expect(try await container.stats().rejected == 1)
                #expect(try await server.stats().callsByAction.isEmpty)
            }
        }
    }

    @Test("bad container settings are refused before any request, naming what to fix",
          arguments: [
            ("http://192.0.2.10/v1/credentials", nil, "names the host 192.0.2.10, which is not allowed over http"),
            ("ftp://127.0.0.1/creds", nil, "must be an http or https URL"),
            ("http://127.0.0.1:9/creds", "missing-token-file", "Cannot read the container authorization token file"),
          ] as [(String, String?, String)])
    func containerBadSettings(uri: String, tokenFile: String?, message: String) async throws {
        try await CredentialWorkspace.with(.sources) { workspace, server in
            _ = try await workspace.writeWorld()
            workspace.environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = uri
            if let tokenFile { workspace.environment["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"] = workspace.directory.appending(tokenFile).path }
            let run = try await workspace.plan()
            #expect(run.exitCode == 1)
            #expect(run.stderr.contains(message), "\(run.stderr)")
            #expect(try await server.stats().callsByAction.isEmpty)
        }
    }

    // MARK: - IAM Identity Center (SSO)

    static let ssoSessionConfig = """
        [profile corp]
        sso_session = corp
        sso_account_id = 123456789012
        sso_role_name = SnapcopyOperator
        region = us-east-1

        [sso-session corp]
        sso_start_url = https://corp.awsapps.com/start
        sso_region = eu-west-1
        sso_registration_scopes = sso:account:access

        [profile legacy]
        sso_start_url = https://legacy.awsapps.com/start
        sso_region = eu-west-1
        sso_account_id = 123456789012
        sso_role_name = LegacyRole
        """

    @Test("SSO (sso_session and legacy forms): the cached token buys role credentials once per run; nothing secret printed",
          arguments: [("corp", SSOCacheKey.corpSession, "SnapcopyOperator"), ("legacy", SSOCacheKey.legacyStartURL, "LegacyRole")])
    func sso(profile: String, cacheKey: String, role: String) async throws {
        let token = "sso-access-token-do-not-print"
        try await withFakeEdge(.sso, token: token) { portal in
            try await CredentialWorkspace.with(.sources) { workspace, server in
                _ = try await workspace.writeWorld()
                try workspace.writeConfig(Self.ssoSessionConfig)
                try workspace.writeSSOToken(token, cacheKey: cacheKey, expiresAt: Date().addingTimeInterval(3600))
                workspace.environment["AWS_ENDPOINT_URL_SSO"] = portal.endpoint.absoluteString
                let run = try await workspace.plan(["--profile", profile, "--debug"])
                #expect(run.exitCode == 0, "\(run.output)")
                let stats = try await portal.stats()
                #expect(stats.queries == [["account_id": "123456789012", "role_name": role]])
                #expect(stats.rejected == 0)
                let used = try await server.stats().accessKeys
                #expect(!used.isEmpty && used.keys.allSatisfy { $0.hasPrefix("ASIAFAKESSO") }, "\(used)")
                #expect(used.values.map(\.calls).reduce(0, +) >= 2, "every call signed with the one cached set")
                for secret in [token, "fake-secret-sso-1", "fake-session-token-sso-1"] {
                    #expect(!run.output.contains(secret))
                }
            }
        }
    }

    @Test("SSO without a usable token: one clear error saying to run aws sso login --profile NAME",
          arguments: ["missing", "expired", "rejected"])
    func ssoNeedsLogin(state: String) async throws {
        try await withFakeEdge(.sso, token: "the-portal-token") { portal in
            try await CredentialWorkspace.with(.sources) { workspace, server in
                _ = try await workspace.writeWorld()
                try workspace.writeConfig(Self.ssoSessionConfig)
                switch state {
                case "expired": try workspace.writeSSOToken("an-old-token", cacheKey: SSOCacheKey.corpSession, expiresAt: Date().addingTimeInterval(-60))
                case "rejected": try workspace.writeSSOToken("a-revoked-token", cacheKey: SSOCacheKey.corpSession, expiresAt: Date().addingTimeInterval(3600))
                default: break
                }
                workspace.environment["AWS_ENDPOINT_URL_SSO"] = portal.endpoint.absoluteString
                let run = try await workspace.plan(["--profile", "corp"])
                #expect(run.exitCode == 1)
                #expect(run.stderr.contains("run aws sso login --profile corp"), "\(run.stderr)")
                #expect(!run.output.contains("a-revoked-token") && !run.output.contains("an-old-token"))
                let stats = try await portal.stats()
                #expect(stats.queries.isEmpty)
                #expect(stats.requests == (state == "rejected" ? 1 : 0), "a missing or expired token is never sent")
                #expect(stats.rejected == (state == "rejected" ? 1 : 0))
                #expect(try await server.stats().callsByAction.isEmpty)
            }
        }
    }

    @Test("a broken SSO profile names the missing settings")
    func ssoBrokenProfile() async throws {
        try await CredentialWorkspace.with(.sources) { workspace, _ in
            _ = try await workspace.writeWorld()
            try workspace.writeConfig("[profile half]\nsso_session = nowhere\nsso_role_name = R\n")
            let missingSession = try await workspace.plan(["--profile", "half"])
            #expect(missingSession.exitCode == 1)
            #expect(missingSession.stderr.contains("has no [sso-session nowhere] section"), "\(missingSession.stderr)")
            try workspace.writeConfig("[profile half]\nsso_start_url = https://x.awsapps.com/start\nsso_role_name = R\n")
            let missingKeys = try await workspace.plan(["--profile", "half"])
            #expect(missingKeys.stderr.contains("lacks sso_region, sso_account_id"), "\(missingKeys.stderr)")
        }
    }
}
