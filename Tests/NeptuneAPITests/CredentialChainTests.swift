import Foundation
import Testing
import TestSupport
@testable import NeptuneAPI

@Suite("Credential provider chain (injected environment, temporary files)")
struct CredentialChainTests {
    static let moto = "http://127.0.0.1:5999"

    /// Builds the chain for `variables` (HOME pointing at `directory`) with a scripted STS.
    private func chain(_ directory: TemporaryDirectory, _ variables: [String: String], profile: String? = nil, sts steps: [ScriptedTransport.Step] = []) -> (any CredentialProvider, ScriptedTransport) {
        var all = variables
        all["HOME"] = all["HOME"] ?? directory.url.path
        all["AWS_EC2_METADATA_DISABLED"] = all["AWS_EC2_METADATA_DISABLED"] ?? "true"
        let transport = ScriptedTransport(steps)
        let configuration = ClientConfiguration(transport: transport, sleeper: RecordingSleeper(), now: { vectorDate })
        let provider = AWSEnvironment(variables: all).makeCredentialProvider(profile: profile, region: "eu-west-1", stsEndpoint: URL(string: Self.moto), configuration: configuration)
        return (provider, transport)
    }

    static let credentialsFile = """
    # a comment
    [default]
    aws_access_key_id = AKIADEFAULTFILE01
    aws_secret_access_key = default/secret
    [dev]
    AWS_ACCESS_KEY_ID=AKIADEVFILE000001
    aws_secret_access_key=dev/secret
    aws_session_token = dev-token
    [both]
    aws_access_key_id = AKIABOTHCREDFILE1
    aws_secret_access_key = both/secret
    """

    static let configFile = """
    [default]
    region = us-west-2
    [profile both]
    aws_access_key_id = AKIABOTHCONFIG001
    aws_secret_access_key = both/config-secret
    [profile cfg]
    ; config-file keys
    aws_access_key_id = AKIACONFIGONLY001
    aws_secret_access_key = cfg/secret
    [profile base]
    aws_access_key_id = AKIABASE000000001
    aws_secret_access_key = base/secret
    [profile role]
    role_arn = arn:aws:iam::222222222222:role/copier
    source_profile = base
    role_session_name = snapcopy-test
    external_id = ext-42
    [profile loop-a]
    role_arn = arn:aws:iam::1:role/a
    source_profile = loop-b
    [profile loop-b]
    role_arn = arn:aws:iam::1:role/b
    source_profile = loop-a
    """

    private func writeFiles(_ directory: TemporaryDirectory) throws {
        try directory.write(Self.credentialsFile, to: ".aws/credentials")
        try directory.write(Self.configFile, to: ".aws/config")
    }

    @Test("environment keys come first when no profile is named")
    func environmentFirst() async throws {
        try await withTemporaryDirectory { directory in
            try writeFiles(directory)
            let (provider, _) = chain(directory, ["AWS_ACCESS_KEY_ID": "AKIAENVIRONMENT01", "AWS_SECRET_ACCESS_KEY": "env/secret", "AWS_SESSION_TOKEN": "env-token"])
            let credentials = try await provider.credentials()
            #expect(credentials.accessKeyID == "AKIAENVIRONMENT01")
            #expect(credentials.sessionToken == "env-token")
            #expect(credentials.source == "environment")
        }
    }

    @Test("AWS_PROFILE loses to environment keys, as in the AWS CLI")
    func awsProfileLosesToEnvironment() async throws {
        try await withTemporaryDirectory { directory in
            try writeFiles(directory)
            let (provider, _) = chain(directory, ["AWS_PROFILE": "dev", "AWS_ACCESS_KEY_ID": "AKIAENVIRONMENT01", "AWS_SECRET_ACCESS_KEY": "env/secret"])
            #expect(try await provider.credentials().accessKeyID == "AKIAENVIRONMENT01")
            let (withoutKeys, _) = chain(directory, ["AWS_PROFILE": "dev"])
            #expect(try await withoutKeys.credentials().accessKeyID == "AKIADEVFILE000001")
        }
    }

    @Test("an explicit --profile ignores environment keys")
    func explicitProfileWins() async throws {
        try await withTemporaryDirectory { directory in
            try writeFiles(directory)
            let (provider, _) = chain(directory, ["AWS_ACCESS_KEY_ID": "AKIAENVIRONMENT01", "AWS_SECRET_ACCESS_KEY": "env/secret"], profile: "dev")
            let credentials = try await provider.credentials()
            #expect(credentials.accessKeyID == "AKIADEVFILE000001")
            #expect(credentials.sessionToken == "dev-token")
            #expect(credentials.source == "profile dev")
        }
    }

    @Test("the credentials file wins over the config file; config-only profiles work")
    func fileOrder() async throws {
        try await withTemporaryDirectory { directory in
            try writeFiles(directory)
            #expect(try await chain(directory, [:], profile: "both").0.credentials().accessKeyID == "AKIABOTHCREDFILE1")
            #expect(try await chain(directory, [:], profile: "cfg").0.credentials().accessKeyID == "AKIACONFIGONLY001")
            #expect(try await chain(directory, [:]).0.credentials().accessKeyID == "AKIADEFAULTFILE01")
        }
    }

    @Test("AWS_SHARED_CREDENTIALS_FILE and AWS_CONFIG_FILE move the files (with ~ expansion)")
    func fileLocations() async throws {
        try await withTemporaryDirectory { directory in
            try directory.write("[moved]\naws_access_key_id = AKIAMOVEDFILE0001\naws_secret_access_key = s\n", to: "elsewhere/creds")
            let (provider, _) = chain(directory, ["AWS_SHARED_CREDENTIALS_FILE": "~/elsewhere/creds", "AWS_CONFIG_FILE": "/nonexistent/config"], profile: "moved")
            #expect(try await provider.credentials().accessKeyID == "AKIAMOVEDFILE0001")
        }
    }

    @Test("a named profile that does not exist is one clear error")
    func missingProfile() async throws {
        try await withTemporaryDirectory { directory in
            try writeFiles(directory)
            for (variables, profile) in [([String: String](), Optional("nope")), (["AWS_PROFILE": "nope"], nil)] {
                do {
                    _ = try await chain(directory, variables, profile: profile).0.credentials()
                    Issue.record("expected an error")
                } catch let error as CredentialsError {
                    #expect(error.kind == .profileNotFound)
                    #expect(error.message.contains("The AWS profile \"nope\" does not exist"))
                    #expect(error.message.contains("\(directory.url.path)/.aws/credentials"))
                    #expect(error.message.contains("\(directory.url.path)/.aws/config"))
                }
            }
        }
    }

    @Test("nothing found: one error naming every place tried")
    func nothingFound() async throws {
        try await withTemporaryDirectory { directory in
            do {
                _ = try await chain(directory, [:]).0.credentials()
                Issue.record("expected an error")
            } catch let error as CredentialsError {
                #expect(error.kind == .noCredentials)
                #expect(error.placesTried.count == 6)
                let home = directory.url.path
                #expect(error.message == "No AWS credentials found. snapcopy looked in: (1) environment variables AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (not set); (2) web identity variables AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE (not set); (3) profile \"default\" in the shared credentials file \(home)/.aws/credentials (file not found); (4) profile \"default\" in the config file \(home)/.aws/config (file not found); (5) container credentials AWS_CONTAINER_CREDENTIALS_RELATIVE_URI / AWS_CONTAINER_CREDENTIALS_FULL_URI (not set); (6) EC2 instance metadata (IMDSv2; off: AWS_EC2_METADATA_DISABLED=true). Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, configure a profile (aws configure, or aws configure sso and aws sso login), or pass --profile NAME.")
            }
        }
    }

    @Test("a profile without credentials is reported with the chain's places")
    func profileWithoutCredentials() async throws {
        try await withTemporaryDirectory { directory in
            try directory.write("[default]\nregion = us-east-1\n", to: ".aws/config")
            do {
                _ = try await chain(directory, [:]).0.credentials()
                Issue.record("expected an error")
            } catch let error as CredentialsError {
                #expect(error.kind == .noCredentials)
                #expect(error.message.contains("config file \(directory.url.path)/.aws/config (found) (no aws_access_key_id, role_arn or credential_process)"))
            }
        }
    }

    @Test("half-set keys are an error, not a fall-through")
    func partialKeys() async throws {
        try await withTemporaryDirectory { directory in
            try writeFiles(directory)
            await #expect(throws: CredentialsError.self) { try await chain(directory, ["AWS_ACCESS_KEY_ID": "AKIAONLYKEY000001"]).0.credentials() }
            try directory.write("[half]\naws_access_key_id = AKIAHALF000000001\n", to: ".aws/credentials")
            do {
                _ = try await chain(directory, [:], profile: "half").0.credentials()
                Issue.record("expected an error")
            } catch let error as CredentialsError {
                #expect(error.message.contains("missing aws_secret_access_key"))
            }
        }
    }

    @Test("credential_process runs a command and parses its JSON")
    func credentialProcess() async throws {
        try await withTemporaryDirectory { directory in
            let script = try directory.write("""
            #!/bin/sh
            echo "{\\"Version\\": 1, \\"AccessKeyId\\": \\"AKIAPROCESS000001\\", \\"SecretAccessKey\\": \\"proc/secret\\", \\"SessionToken\\": \\"proc-token\\", \\"Expiration\\": \\"2030-01-02T03:04:05Z\\"}"
            """, to: "bin/creds.sh")
            try directory.write("[profile proc]\ncredential_process = /bin/sh \(script.path) --flag\n[profile broken]\ncredential_process = /bin/sh -c 'echo oops >&2; exit 3'\n[profile garbage]\ncredential_process = echo not-json-but-SECRET\n", to: ".aws/config")
            let credentials = try await chain(directory, [:], profile: "proc").0.credentials()
            #expect(credentials.accessKeyID == "AKIAPROCESS000001")
            #expect(credentials.secretAccessKey == "proc/secret")
            #expect(credentials.sessionToken == "proc-token")
            #expect(credentials.expiration == AWSTimestamp.parse("2030-01-02T03:04:05Z"))
            #expect(credentials.source == "credential_process of profile proc")

            do {
                _ = try await chain(directory, [:], profile: "broken").0.credentials()
                Issue.record("expected an error")
            } catch let error as CredentialsError {
                #expect(error.kind == .credentialProcessFailed)
                #expect(error.message == "The credential_process of profile \"broken\" exited with status 3: oops."
                        + " (profiles are read from \(directory.appending(".aws/config").path))")
            }
            do {
                _ = try await chain(directory, [:], profile: "garbage").0.credentials()
                Issue.record("expected an error")
            } catch let error as CredentialsError {
                #expect(error.kind == .credentialProcessFailed)
                #expect(!error.message.contains("SECRET"))
            }
        }
    }

    @Test("a credential_process that hangs is stopped after its timeout")
    func credentialProcessTimeout() async throws {
        let provider = CredentialProcessProvider(command: "exec sleep 5", profile: "slow", environment: [:], timeout: 0.3)
        do {
            _ = try await provider.credentials()
            Issue.record("expected an error")
        } catch let error as CredentialsError {
            #expect(error.kind == .credentialProcessFailed)
            #expect(error.message == "The credential_process of profile \"slow\" did not finish within 0 seconds and was stopped.")
        }
    }

    @Test("role_arn + source_profile assumes the role with the source profile's keys")
    func assumeRoleProfile() async throws {
        try await withTemporaryDirectory { directory in
            try writeFiles(directory)
            let (provider, transport) = chain(directory, [:], profile: "role", sts: [xmlResponse(XMLFixtures.motoAssumeRole)])
            let credentials = try await provider.credentials()
            #expect(credentials.accessKeyID == "ASIATHPL2AOHBKGXZZZ2")
            #expect(credentials.source == "profile role (assume-role)")
            let request = try #require(await transport.requests.first)
            #expect(request.url.absoluteString == "\(Self.moto)/")
            #expect(request.header("authorization")?.hasPrefix("AWS4-HMAC-SHA256 Credential=AKIABASE000000001/20240501/eu-west-1/sts/aws4_request") == true)
            #expect(formParameters(request.body) == ["Action": "AssumeRole", "Version": "2011-06-15", "RoleArn": "arn:aws:iam::222222222222:role/copier", "RoleSessionName": "snapcopy-test", "ExternalId": "ext-42"])
            // Cached: a second call does not assume the role again.
            _ = try await provider.credentials()
            #expect(await transport.requests.count == 1)
        }
    }

    @Test("a source_profile cycle is reported")
    func sourceProfileCycle() async throws {
        try await withTemporaryDirectory { directory in
            try writeFiles(directory)
            do {
                _ = try await chain(directory, [:], profile: "loop-a").0.credentials()
                Issue.record("expected an error")
            } catch let error as CredentialsError {
                #expect(error.kind == .invalidConfiguration)
                #expect(error.message.contains("cycle: \"loop-a\" -> \"loop-b\" -> \"loop-a\""))
            }
        }
    }

    @Test("web identity from the environment calls unsigned AssumeRoleWithWebIdentity")
    func webIdentity() async throws {
        try await withTemporaryDirectory { directory in
            try writeFiles(directory)
            let token = try directory.write("eyJhbGciOi.token.sig\n", to: "token")
            let (provider, transport) = chain(directory, [
                "AWS_ROLE_ARN": "arn:aws:iam::222222222222:role/web",
                "AWS_WEB_IDENTITY_TOKEN_FILE": token.path,
                "AWS_ROLE_SESSION_NAME": "ci-run",
            ], sts: [xmlResponse(XMLFixtures.motoAssumeRoleWithWebIdentity)])
            let credentials = try await provider.credentials()
            #expect(credentials.accessKeyID == "ASIATHPL2AOHAYKV2TXP")
            #expect(credentials.source == "web identity (environment)")
            let request = try #require(await transport.requests.first)
            #expect(request.header("authorization") == nil)
            #expect(formParameters(request.body) == ["Action": "AssumeRoleWithWebIdentity", "Version": "2011-06-15", "RoleArn": "arn:aws:iam::222222222222:role/web", "RoleSessionName": "ci-run", "WebIdentityToken": "eyJhbGciOi.token.sig"])
        }
    }

    @Test("web identity with an unreadable token file is a clear error")
    func webIdentityMissingFile() async throws {
        try await withTemporaryDirectory { directory in
            let (provider, _) = chain(directory, ["AWS_ROLE_ARN": "arn:aws:iam::2:role/web", "AWS_WEB_IDENTITY_TOKEN_FILE": "/nonexistent/token"])
            do {
                _ = try await provider.credentials()
                Issue.record("expected an error")
            } catch let error as CredentialsError {
                #expect(error.kind == .unreadableFile)
                #expect(error.message.contains("/nonexistent/token"))
            }
        }
    }
}
