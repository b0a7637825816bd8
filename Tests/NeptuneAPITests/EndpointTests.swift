import Foundation
import Testing
@testable import NeptuneAPI

@Suite("Endpoints per partition and variant (botocore's endpoint rule sets)")
struct EndpointTests {
    struct Row: Sendable, CustomTestStringConvertible {
        var region: String
        var options = EndpointOptions()
        var neptune: String
        var sts: String
        var sso: String
        var testDescription: String { "\(region) fips=\(options.useFIPS) dualstack=\(options.useDualStack) legacy=\(options.useLegacyGlobalSTS)" }
    }

    static let rows: [Row] = [
        Row(region: "us-east-1", neptune: "rds.us-east-1.amazonaws.com", sts: "sts.us-east-1.amazonaws.com", sso: "portal.sso.us-east-1.amazonaws.com"),
        Row(region: "us-east-1", options: .init(useFIPS: true), neptune: "rds-fips.us-east-1.amazonaws.com", sts: "sts-fips.us-east-1.amazonaws.com", sso: "portal.sso-fips.us-east-1.amazonaws.com"),
        Row(region: "eu-west-1", options: .init(useDualStack: true), neptune: "rds.eu-west-1.api.aws", sts: "sts.eu-west-1.api.aws", sso: "portal.sso.eu-west-1.api.aws"),
        Row(region: "us-east-2", options: .init(useFIPS: true, useDualStack: true), neptune: "rds-fips.us-east-2.api.aws", sts: "sts-fips.us-east-2.api.aws", sso: "portal.sso-fips.us-east-2.api.aws"),
        Row(region: "cn-north-1", neptune: "rds.cn-north-1.amazonaws.com.cn", sts: "sts.cn-north-1.amazonaws.com.cn", sso: "portal.sso.cn-north-1.amazonaws.com.cn"),
        Row(region: "cn-northwest-1", options: .init(useDualStack: true), neptune: "rds.cn-northwest-1.api.amazonwebservices.com.cn", sts: "sts.cn-northwest-1.api.amazonwebservices.com.cn", sso: "portal.sso.cn-northwest-1.api.amazonwebservices.com.cn"),
        Row(region: "us-gov-west-1", neptune: "rds.us-gov-west-1.amazonaws.com", sts: "sts.us-gov-west-1.amazonaws.com", sso: "portal.sso.us-gov-west-1.amazonaws.com"),
        Row(region: "us-gov-west-1", options: .init(useFIPS: true), neptune: "rds.us-gov-west-1.amazonaws.com", sts: "sts.us-gov-west-1.amazonaws.com", sso: "portal.sso-fips.us-gov-west-1.amazonaws.com"),
        Row(region: "eu-west-1", options: .init(useLegacyGlobalSTS: true), neptune: "rds.eu-west-1.amazonaws.com", sts: "sts.amazonaws.com", sso: "portal.sso.eu-west-1.amazonaws.com"),
        Row(region: "af-south-1", options: .init(useLegacyGlobalSTS: true), neptune: "rds.af-south-1.amazonaws.com", sts: "sts.af-south-1.amazonaws.com", sso: "portal.sso.af-south-1.amazonaws.com"),
    ]

    @Test("default hosts", arguments: rows)
    func hosts(_ row: Row) {
        #expect(AWSEndpoint.neptune(region: row.region, options: row.options).host == row.neptune)
        #expect(AWSEndpoint.sts(region: row.region, options: row.options).host == row.sts)
        #expect(AWSEndpoint.sso(region: row.region, options: row.options).host == row.sso)
    }

    @Test("the legacy global STS endpoint is signed for us-east-1")
    func globalSTSSigningRegion() {
        let configuration = ClientConfiguration(transport: ScriptedTransport(), endpointOptions: .init(useLegacyGlobalSTS: true))
        let sts = STSClient(region: "eu-west-1", credentials: nil, configuration: configuration)
        #expect(sts.endpoint.absoluteString == "https://sts.amazonaws.com/")
        #expect(sts.region == "us-east-1")
    }

    @Test("FIPS, dual-stack and STS settings come from the environment, then the profile; bad values are errors")
    func options() throws {
        try withTemporaryHome { home, environment in
            try "[default]\nuse_fips_endpoint = true\nsts_regional_endpoints = legacy\n".write(toFile: "\(home)/.aws/config", atomically: true, encoding: .utf8)
            let fromProfile = try environment([:]).endpointOptions()
            #expect(fromProfile == EndpointOptions(useFIPS: true, useDualStack: false, useLegacyGlobalSTS: true))
            let fromEnvironment = try environment(["AWS_USE_FIPS_ENDPOINT": "false", "AWS_USE_DUALSTACK_ENDPOINT": "TRUE", "AWS_STS_REGIONAL_ENDPOINTS": "regional"]).endpointOptions()
            #expect(fromEnvironment == EndpointOptions(useFIPS: false, useDualStack: true, useLegacyGlobalSTS: false))
            #expect(throws: CredentialsError.self) { try environment(["AWS_USE_FIPS_ENDPOINT": "yes"]).endpointOptions() }
            #expect(throws: CredentialsError.self) { try environment(["AWS_STS_REGIONAL_ENDPOINTS": "global"]).endpointOptions() }
        }
    }

    @Test("AWS_ENDPOINT_URL_SSO, then the services section, override the portal")
    func ssoOverride() throws {
        try withTemporaryHome { home, environment in
            try "[default]\nservices = local\n[services local]\nsso =\n  endpoint_url = http://127.0.0.1:7000\n".write(toFile: "\(home)/.aws/config", atomically: true, encoding: .utf8)
            #expect(try environment([:]).resolveSSOEndpoint()?.absoluteString == "http://127.0.0.1:7000")
            #expect(try environment(["AWS_ENDPOINT_URL_SSO": "http://127.0.0.1:7001"]).resolveSSOEndpoint()?.absoluteString == "http://127.0.0.1:7001")
        }
    }
}

/// Runs `body` with a temporary HOME holding an empty `.aws/`, and a maker of environments over it.
func withTemporaryHome(_ body: (String, ([String: String]) -> AWSEnvironment) throws -> Void) throws {
    let home = FileManager.default.temporaryDirectory.appendingPathComponent("snapcopy-home-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: "\(home)/.aws", withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: home) }
    try body(home) { variables in AWSEnvironment(variables: variables.merging(["HOME": home]) { current, _ in current }) }
}
