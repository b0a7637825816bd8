import Foundation
import Testing
import TestSupport
@testable import NeptuneAPI

@Suite("Region, endpoint and config-file resolution")
struct AWSEnvironmentTests {
    static let config = """
    [default]
    region = eu-central-1
    endpoint_url = http://default-endpoint:4566
    [profile dev]
    region = ap-southeast-2
    services = local
    [profile plain]
    region = sa-east-1
    endpoint_url = http://plain:1234
    [profile ignoring]
    endpoint_url = http://ignored:1
    ignore_configured_endpoint_urls = true
    [services local]
    neptune =
      endpoint_url = http://neptune-local:5000
    sts =
      endpoint_url = http://sts-local:5001
    """

    private func environment(_ directory: TemporaryDirectory, _ variables: [String: String] = [:]) throws -> AWSEnvironment {
        try directory.write(Self.config, to: ".aws/config")
        var all = variables
        all["HOME"] = directory.url.path
        return AWSEnvironment(variables: all)
    }

    @Test("region: explicit, then AWS_REGION, then AWS_DEFAULT_REGION, then the profile")
    func regionOrder() throws {
        try withTemporaryDirectory { directory in
            let full = try environment(directory, ["AWS_REGION": "us-east-2", "AWS_DEFAULT_REGION": "us-west-1", "AWS_PROFILE": "dev"])
            #expect(try full.resolveRegion(explicit: "eu-west-3") == "eu-west-3")
            #expect(try full.resolveRegion(explicit: nil) == "us-east-2")
            #expect(try environment(directory, ["AWS_DEFAULT_REGION": "us-west-1", "AWS_PROFILE": "dev"]).resolveRegion(explicit: nil) == "us-west-1")
            #expect(try environment(directory, ["AWS_PROFILE": "dev"]).resolveRegion(explicit: nil) == "ap-southeast-2")
            #expect(try environment(directory, ["AWS_PROFILE": "dev"]).resolveRegion(explicit: nil, profile: "plain") == "sa-east-1")
            #expect(try environment(directory).resolveRegion(explicit: nil) == "eu-central-1")
            #expect(try environment(directory, ["AWS_REGION": ""]).resolveRegion(explicit: "") == "eu-central-1")
        }
    }

    @Test("no region anywhere: one error naming every place")
    func noRegion() throws {
        let environment = AWSEnvironment(variables: ["HOME": "/nonexistent-home"])
        do {
            _ = try environment.resolveRegion(explicit: nil, profile: "x")
            Issue.record("expected an error")
        } catch let error as CredentialsError {
            #expect(error.kind == .noRegion)
            #expect(error.message == "No AWS region is configured. snapcopy looked at --region, AWS_REGION, AWS_DEFAULT_REGION and the `region` of profile \"x\" in /nonexistent-home/.aws/config. Pass --region (for example --region us-east-1) or set AWS_REGION.")
        }
    }

    @Test("endpoint: explicit, AWS_ENDPOINT_URL_NEPTUNE, AWS_ENDPOINT_URL, services section, profile endpoint_url")
    func endpointOrder() throws {
        try withTemporaryDirectory { directory in
            let all = try environment(directory, ["AWS_ENDPOINT_URL_NEPTUNE": "http://specific:1", "AWS_ENDPOINT_URL": "http://global:2", "AWS_PROFILE": "dev"])
            #expect(try all.resolveEndpoint(explicit: "http://127.0.0.1:5000")?.absoluteString == "http://127.0.0.1:5000")
            #expect(try all.resolveEndpoint(explicit: nil)?.absoluteString == "http://specific:1")
            #expect(try environment(directory, ["AWS_ENDPOINT_URL": "http://global:2", "AWS_PROFILE": "dev"]).resolveEndpoint(explicit: nil)?.absoluteString == "http://global:2")
            #expect(try environment(directory, ["AWS_PROFILE": "dev"]).resolveEndpoint(explicit: nil)?.absoluteString == "http://neptune-local:5000")
            #expect(try environment(directory).resolveEndpoint(explicit: nil, profile: "plain")?.absoluteString == "http://plain:1234")
            #expect(try environment(directory).resolveEndpoint(explicit: nil)?.absoluteString == "http://default-endpoint:4566")
            #expect(try environment(directory, ["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true"]).resolveEndpoint(explicit: nil) == nil)
            #expect(try environment(directory, ["AWS_ENDPOINT_URL": "http://global:2"]).resolveEndpoint(explicit: nil, profile: "ignoring") == nil)
            #expect(try environment(directory, ["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true"]).resolveEndpoint(explicit: "http://x:1")?.absoluteString == "http://x:1")
            #expect(try AWSEnvironment(variables: [:]).resolveEndpoint(explicit: nil) == nil)
        }
    }

    @Test("STS follows the Neptune endpoint override unless it has its own")
    func stsEndpoint() throws {
        try withTemporaryDirectory { (directory: TemporaryDirectory) throws in
            #expect(try environment(directory, ["AWS_ENDPOINT_URL": "http://moto:5000"]).resolveSTSEndpoint(explicit: nil)?.absoluteString == "http://moto:5000")
            #expect(try environment(directory, ["AWS_ENDPOINT_URL": "http://moto:5000", "AWS_ENDPOINT_URL_STS": "http://sts:1"]).resolveSTSEndpoint(explicit: nil)?.absoluteString == "http://sts:1")
            #expect(try environment(directory, ["AWS_PROFILE": "dev"]).resolveSTSEndpoint(explicit: nil)?.absoluteString == "http://sts-local:5001")
            #expect(try environment(directory).resolveSTSEndpoint(explicit: "http://127.0.0.1:9")?.absoluteString == "http://127.0.0.1:9")
            #expect(try AWSEnvironment(variables: [:]).resolveSTSEndpoint(explicit: nil) == nil)
        }
    }

    @Test("an invalid endpoint URL names its source")
    func invalidEndpoint() throws {
        do {
            _ = try AWSEnvironment(variables: ["AWS_ENDPOINT_URL_NEPTUNE": "localhost:5000"]).resolveEndpoint(explicit: nil)
            Issue.record("expected an error")
        } catch let error as CredentialsError {
            #expect(error.kind == .invalidEndpoint)
            #expect(error.message.contains("\"localhost:5000\" from AWS_ENDPOINT_URL_NEPTUNE"))
        }
    }

    @Test("profile name: explicit, AWS_PROFILE, AWS_DEFAULT_PROFILE, default")
    func profileName() {
        #expect(AWSEnvironment(variables: ["AWS_PROFILE": "a", "AWS_DEFAULT_PROFILE": "b"]).profileName(explicit: "x") == "x")
        #expect(AWSEnvironment(variables: ["AWS_PROFILE": "a", "AWS_DEFAULT_PROFILE": "b"]).profileName(explicit: nil) == "a")
        #expect(AWSEnvironment(variables: ["AWS_DEFAULT_PROFILE": "b"]).profileName(explicit: nil) == "b")
        #expect(AWSEnvironment(variables: [:]).profileName(explicit: nil) == "default")
    }

    @Test("INI parsing: comments, separators, key case, nested blocks, profile prefixes")
    func parsing() {
        let file = AWSConfigFile(parsing: """
        # comment
        ; another
        [ profile   spaced ]
        Region: us-east-1
        key=value=with=equals
        [default]
        nested =
            inner = 1
          other=2
        after = yes
        [plain]
        x = 1
        """)
        #expect(file.sections["profile spaced"]?["region"] == "us-east-1")
        #expect(file.sections["profile spaced"]?["key"] == "value=with=equals")
        #expect(file.sections["default"]?.nested["nested"] == ["inner": "1", "other": "2"])
        #expect(file.sections["default"]?["after"] == "yes")
        let shared = AWSSharedConfiguration(credentialsFile: nil, configFile: file, credentialsPath: nil, configPath: nil)
        #expect(shared.configSection("spaced")?["region"] == "us-east-1")
        #expect(shared.configSection("default")?["after"] == "yes")
        #expect(shared.configSection("plain") == nil)
    }

    @Test("default endpoints, including the China partition")
    func defaultEndpoints() {
        #expect(AWSEndpoint.neptune(region: "us-east-1").absoluteString == "https://rds.us-east-1.amazonaws.com/")
        #expect(AWSEndpoint.sts(region: "eu-west-1").absoluteString == "https://sts.eu-west-1.amazonaws.com/")
        #expect(AWSEndpoint.neptune(region: "cn-north-1").absoluteString == "https://rds.cn-north-1.amazonaws.com.cn/")
        #expect(AWSEndpoint.neptune(region: "bad/region").host == "rds.invalid-region.invalid")
        #expect(AWSEndpoint.normalized(URL(string: "http://127.0.0.1:5000")!).absoluteString == "http://127.0.0.1:5000/")
    }
}
