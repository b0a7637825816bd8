import Foundation
import NeptuneAPI
import Testing
import TestSupport

/// Credentials that expire during an apply held in `copying`: every source is asked again before
/// its credentials expire, and no call is ever signed with expired credentials. Also
/// `credential_source` for role profiles, and the role settings snapcopy refuses.
@Suite("credential refresh and role profiles end to end (built binary, local fakes)", .serialized,
       .enabled(if: MotoAvailability.isAvailable, "python3 with moto is not available: skipping the credential refresh tests"))
struct CredentialRefreshTests {
    /// How each source is configured against its fake.
    static func configure(_ mode: FakeEdgeServer.Mode, _ edge: FakeEdgeServer, _ workspace: inout CredentialWorkspace) throws -> (profile: [String], keyPrefix: String) {
        switch mode {
        case .imds:
            workspace.environment["AWS_EC2_METADATA_DISABLED"] = nil
            workspace.environment["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = edge.endpoint.absoluteString
            return ([], "ASIAFAKEIMDS")
        case .container:
            workspace.environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = edge.endpoint.absoluteString + "/v1/credentials"
            workspace.environment["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = "fake-token"
            return ([], "ASIAFAKECONT")
        default:
            try workspace.writeConfig(CredentialSourcesTests.ssoSessionConfig)
            try workspace.writeSSOToken("fake-token", cacheKey: SSOCacheKey.corpSession, expiresAt: Date().addingTimeInterval(3600))
            workspace.environment["AWS_ENDPOINT_URL_SSO"] = edge.endpoint.absoluteString
            return (["--profile", "corp"], "ASIAFAKESSO")
        }
    }

    @Test("credentials lasting 4 s are refreshed before they expire while apply waits for a copy held in copying",
          arguments: [FakeEdgeServer.Mode.imds, .container, .sso])
    func refreshDuringApply(mode: FakeEdgeServer.Mode) async throws {
        try await withFakeEdge(mode, expiresSeconds: 4) { edge in
            try await CredentialWorkspace.with(.refresh) { workspace, server in
                _ = try await workspace.writeWorld()
                let (profile, prefix) = try Self.configure(mode, edge, &workspace)
                try await server.configure(FakeConfig(copyingSeconds: 7))
                let run = try await workspace.apply(profile)
                #expect(run.exitCode == 0, "\(run.output)")
                #expect(run.stdout.contains("Apply complete: 1 created"), "\(run.stdout)")

                let issued = try await edge.stats().issued
                let used = try await server.stats().keys(prefix: prefix)
                #expect(issued.count >= 3, "7 s of copying with 4 s credentials needs at least two refreshes: \(issued.count) issued")
                #expect(used.count >= 3, "calls were signed with \(used.count) key(s)")
                #expect(try await server.stats().accessKeys.count == used.count, "every call signed by this source")
                for (key, use) in used {
                    let expiry = try #require(issued.first { $0.accessKeyId == key }?.expiration, "\(key) was not issued by the fake")
                    #expect(use.lastUse < expiry, "\(key) was used \(use.lastUse - expiry) s after it expired")
                }
            }
        }
    }

    @Test("a credential_process whose credentials last 4 s is run again before they expire during the apply")
    func refreshCredentialProcessDuringApply() async throws {
        try await CredentialWorkspace.with(.refresh) { workspace, server in
            _ = try await workspace.writeWorld()
            let dir = workspace.directory.url.path
            let script = try workspace.directory.write("""
                #!/bin/sh
                n=$(( $(cat "\(dir)/count" 2>/dev/null || echo 0) + 1 )); echo $n > "\(dir)/count"
                exp=$(( $(date +%s) + 4 ))
                key=$(printf 'ASIAFAKEPROC%08d' $n)
                echo "$key $exp" >> "\(dir)/issued"
                printf '{"Version": 1, "AccessKeyId": "%s", "SecretAccessKey": "proc-secret-%s", "SessionToken": "proc-token-%s", "Expiration": "%s"}' \
                    "$key" "$n" "$n" "$(date -u -d "@$exp" +%Y-%m-%dT%H:%M:%SZ)"
                """, to: "creds.sh")
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script.path)
            try workspace.writeConfig("[default]\ncredential_process = \(script.path)\n")
            try await server.configure(FakeConfig(copyingSeconds: 7))
            let run = try await workspace.apply()
            #expect(run.exitCode == 0, "\(run.output)")
            let issued = try workspace.directory.read("issued").split(separator: "\n").map { $0.split(separator: " ") }
            let expiries = Dictionary(uniqueKeysWithValues: issued.map { (String($0[0]), Double($0[1]) ?? 0) })
            let used = try await server.stats().keys(prefix: "ASIAFAKEPROC")
            #expect(expiries.count >= 3 && used.count >= 3, "\(expiries.count) issued, \(used.count) used")
            for (key, use) in used {
                let expiry = try #require(expiries[key])
                #expect(use.lastUse < expiry, "\(key) was used \(use.lastUse - expiry) s after it expired")
            }
            #expect(!run.output.contains("proc-secret-") && !run.output.contains("proc-token-"))
        }
    }

    // MARK: - Role profiles

    @Test("role_arn with credential_source: STS is called with the source's credentials, then the role's sign Neptune calls",
          arguments: ["Ec2InstanceMetadata", "EcsContainer", "Environment"])
    func credentialSource(source: String) async throws {
        let mode: FakeEdgeServer.Mode = source == "EcsContainer" ? .container : .imds
        try await withFakeEdge(mode) { edge in
            try await CredentialWorkspace.with(.refresh) { workspace, server in
                _ = try await workspace.writeWorld()
                try workspace.writeConfig("""
                    [profile deploy]
                    role_arn = arn:aws:iam::123456789012:role/snapcopy-deploy
                    credential_source = \(source)
                    role_session_name = nightly-copies
                    external_id = partner-42
                    duration_seconds = 1800
                    """)
                var prefix = "AKIAFAKEENVIRONMENT"
                switch source {
                case "Environment":
                    workspace.environment["AWS_ACCESS_KEY_ID"] = "AKIAFAKEENVIRONMENT1"
                    workspace.environment["AWS_SECRET_ACCESS_KEY"] = "environment-secret-do-not-print"
                default:
                    prefix = try Self.configure(mode, edge, &workspace).keyPrefix
                }
                let run = try await workspace.plan(["--profile", "deploy", "--debug"])
                #expect(run.exitCode == 0, "\(run.output)")
                let stats = try await server.stats()
                #expect(stats.calls("AssumeRole") == 1)
                let sourceKeys = stats.keys(prefix: prefix)
                #expect(sourceKeys.count == 1 && sourceKeys.values.first?.calls == 1, "only AssumeRole is signed by the source: \(stats.accessKeys)")
                #expect(stats.calls("DescribeDBClusterSnapshots") >= 1)
                #expect(stats.accessKeys.count == 2, "the Neptune calls use the role's session: \(stats.accessKeys.keys.sorted())")
                #expect(!run.output.contains("environment-secret-do-not-print") && !run.output.contains("fake-secret-"))
            }
        }
    }

    @Test("role settings snapcopy cannot honour are refused with the fix",
          arguments: [
            ("mfa_serial = arn:aws:iam::123456789012:mfa/me\nsource_profile = base", "snapcopy cannot prompt for an MFA code"),
            ("duration_seconds = an-hour\nsource_profile = base", "duration_seconds = an-hour: give a whole number of seconds from 900 to 43200"),
            ("credential_source = Ec2Metadata", "use Environment, Ec2InstanceMetadata or EcsContainer"),
            ("credential_source = EcsContainer", "uses credential_source = EcsContainer, but neither AWS_CONTAINER_CREDENTIALS_RELATIVE_URI nor AWS_CONTAINER_CREDENTIALS_FULL_URI is set"),
            ("credential_source = Ec2InstanceMetadata", "uses credential_source = Ec2InstanceMetadata, but the EC2 instance metadata service gave none (EC2 instance metadata (IMDSv2; off: AWS_EC2_METADATA_DISABLED=true))"),
          ])
    func refusedRoleSettings(settings: String, message: String) async throws {
        try await CredentialWorkspace.with(.refresh) { workspace, server in
            _ = try await workspace.writeWorld()
            try workspace.writeConfig("""
                [profile base]
                aws_access_key_id = AKIAFAKEBASEPROFILE1
                aws_secret_access_key = base-secret
                [profile deploy]
                role_arn = arn:aws:iam::123456789012:role/snapcopy-deploy
                \(settings)
                """)
            let run = try await workspace.plan(["--profile", "deploy"])
            #expect(run.exitCode == 1)
            #expect(run.stderr.contains(message), "\(run.stderr)")
            #expect(try await server.stats().callsByAction.isEmpty)
        }
    }
}
