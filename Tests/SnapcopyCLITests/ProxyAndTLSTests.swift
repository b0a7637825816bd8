import Foundation
import NeptuneAPI
import Testing
import TestSupport

/// Proxies, private CAs and endpoint selection, end to end with the built binary: a forwarding
/// proxy that counts requests (and refuses, without contacting, every non-loopback target, which
/// shows the AWS endpoint snapcopy chose), and moto behind a TLS terminator whose certificate a
/// throwaway CA made in the test signed.
@Suite("proxies, CA bundles and endpoints end to end (built binary, local fakes)", .serialized,
       .enabled(if: MotoAvailability.isAvailable, "python3 with moto is not available: skipping the proxy and TLS tests"))
struct ProxyAndTLSTests {
    static let keys = SecretCanary.credentialEnvironment

    // MARK: - Proxies

    @Test("HTTP_PROXY / http_proxy carry every call through the proxy", arguments: ["HTTP_PROXY", "http_proxy"])
    func httpProxy(variable: String) async throws {
        try await withFakeEdge(.proxy) { proxy in
            try await CredentialWorkspace.with(.network) { workspace, server in
                _ = try await workspace.writeWorld()
                workspace.environment.merge(Self.keys) { _, new in new }
                workspace.environment[variable] = "http://127.0.0.1:\(proxy.port)"
                let run = try await workspace.plan(["--debug"])
                #expect(run.exitCode == 0, "\(run.output)")
                #expect(run.stderr.contains("HTTP proxy 127.0.0.1:\(proxy.port) (from \(variable))"), "\(run.stderr)")
                let stats = try await proxy.stats()
                let target = "127.0.0.1:\(server.endpoint.port ?? 0)"
                #expect(stats.tunnels[target, default: 0] >= 1, "\(stats.tunnels)")
                #expect(stats.refusedTunnels.isEmpty)
                #expect(try await server.stats().calls("DescribeDBClusterSnapshots") == 1)
            }
        }
    }

    @Test("NO_PROXY / no_proxy sends matching hosts directly", arguments: [("NO_PROXY", "127.0.0.1"), ("no_proxy", "localhost,127.0.0.0/8")])
    func noProxy(variable: String, value: String) async throws {
        try await withFakeEdge(.proxy) { proxy in
            try await CredentialWorkspace.with(.network) { workspace, server in
                _ = try await workspace.writeWorld()
                workspace.environment.merge(Self.keys) { _, new in new }
                workspace.environment["HTTP_PROXY"] = "http://127.0.0.1:\(proxy.port)"
                workspace.environment[variable] = value
                let run = try await workspace.plan()
                #expect(run.exitCode == 0, "\(run.output)")
                #expect(try await proxy.stats().proxiedRequests == 0)
                #expect(try await server.stats().calls("DescribeDBClusterSnapshots") == 1)
            }
        }
    }

    @Test("a proxy URL with a password: it is used for authentication and never printed")
    func proxyPasswordNotPrinted() async throws {
        try await withFakeEdge(.proxy) { proxy in
            try await CredentialWorkspace.with(.network) { workspace, _ in
                _ = try await workspace.writeWorld()
                workspace.environment.merge(Self.keys) { _, new in new }
                workspace.environment["HTTP_PROXY"] = "http://user:proxy-password-do-not-print@127.0.0.1:\(proxy.port)"
                let run = try await workspace.plan(["--debug"])
                #expect(run.exitCode == 0, "\(run.output)")
                #expect(!run.output.contains("proxy-password-do-not-print"))
                #expect(try await proxy.stats().proxiedRequests >= 1)
            }
        }
    }

    // MARK: - TLS with a private CA

    /// Runs `body` with moto behind a TLS terminator whose certificate `ca` signed.
    private func withTLS(_ body: (ThrowawayCA, FakeEdgeServer, inout CredentialWorkspace) async throws -> Void) async throws {
        try await CredentialWorkspace.with(.network) { workspace, server in
            let ca = try await ThrowawayCA.make(in: workspace.directory)
            let arguments = ["--cert", ca.serverCertificate.path, "--key", ca.serverKey.path, "--upstream-port", String(server.endpoint.port ?? 0)]
            try await withFakeEdge(.tls, arguments: arguments) { tls in
                _ = try await workspace.writeWorld()
                workspace.environment.merge(Self.keys) { _, new in new }
                try await body(ca, tls, &workspace)
            }
        }
    }

    @Test("AWS_CA_BUNDLE or the profile's ca_bundle trusts the private CA", arguments: ["environment", "profile"])
    func caBundle(from place: String) async throws {
        try await withTLS { ca, tls, workspace in
            if place == "environment" {
                workspace.environment["AWS_CA_BUNDLE"] = ca.caCertificate.path
            } else {
                try workspace.writeConfig("[default]\nca_bundle = \(ca.caCertificate.path)\n")
            }
            let run = try await workspace.plan(["--endpoint-url", "https://localhost:\(tls.port)", "--debug"], endpoint: false)
            #expect(run.exitCode == 0, "\(run.output)")
            #expect(run.stderr.contains("CA bundle \(ca.caCertificate.path) (from \(place == "environment" ? "AWS_CA_BUNDLE" : "ca_bundle of profile \"default\"")"), "\(run.stderr)")
            #expect(try await workspace.server.stats().calls("DescribeDBClusterSnapshots") == 1)
        }
    }

    @Test("without the CA bundle, the TLS failure names the host, the port and the setting to check")
    func untrustedCertificate() async throws {
        try await withTLS { _, tls, workspace in
            let run = try await workspace.plan(["--endpoint-url", "https://localhost:\(tls.port)"], endpoint: false)
            #expect(run.exitCode == 1)
            #expect(run.stderr.contains("the request to localhost:\(tls.port) failed its TLS handshake"), "\(run.stderr)")
            #expect(run.stderr.contains("set AWS_CA_BUNDLE (or ca_bundle in the profile)"), "\(run.stderr)")
            #expect(try await workspace.server.stats().callsByAction.isEmpty)
        }
    }

    @Test("https_proxy (lower case; HTTPS_PROXY in the endpoint table) tunnels TLS to the endpoint; the CA bundle still checks the server")
    func httpsThroughProxy() async throws {
        try await withFakeEdge(.proxy) { proxy in
            try await withTLS { ca, tls, workspace in
                workspace.environment["AWS_CA_BUNDLE"] = ca.caCertificate.path
                workspace.environment["https_proxy"] = "127.0.0.1:\(proxy.port)"
                let run = try await workspace.plan(["--endpoint-url", "https://localhost:\(tls.port)"], endpoint: false)
                #expect(run.exitCode == 0, "\(run.output)")
                #expect(try await proxy.stats().tunnels["localhost:\(tls.port)", default: 0] >= 1)
            }
        }
    }

    @Test("an unusable CA bundle or proxy setting is one clear error before any call",
          arguments: [
            (["AWS_CA_BUNDLE": "/nonexistent/corporate-ca.pem"], "The CA bundle /nonexistent/corporate-ca.pem (from AWS_CA_BUNDLE) does not exist or is not a file"),
            (["AWS_CA_BUNDLE": "NOT-PEM"], "cannot be read as PEM certificates"),
            (["HTTPS_PROXY": "http://"], "The proxy HTTPS_PROXY is not a URL such as http://proxy.example.com:3128"),
          ])
    func badTransportSettings(settings: [String: String], message: String) async throws {
        try await CredentialWorkspace.with(.network) { workspace, server in
            _ = try await workspace.writeWorld()
            workspace.environment.merge(Self.keys) { _, new in new }
            for (name, value) in settings {
                workspace.environment[name] = value == "NOT-PEM" ? try workspace.directory.write("not a certificate\n", to: "bad.pem").path : value
            }
            let run = try await workspace.plan()
            #expect(run.exitCode == 1)
            #expect(run.stderr.contains(message), "\(run.stderr)")
            #expect(try await server.stats().callsByAction.isEmpty)
        }
    }

    // MARK: - Endpoints and partitions

    /// One row: settings, the manifest's region and role, and the AWS host the first calls go to.
    struct EndpointRow: Sendable, CustomTestStringConvertible {
        var name: String
        var environment: [String: String] = [:]
        var config: String?
        var profile: String?
        var region = "us-east-1"
        var roleARN: String?
        var expected: [String]
        var testDescription: String { name }
    }

    static let endpointRows: [EndpointRow] = [
        EndpointRow(name: "standard", expected: ["rds.us-east-1.amazonaws.com:443"]),
        EndpointRow(name: "AWS_USE_FIPS_ENDPOINT", environment: ["AWS_USE_FIPS_ENDPOINT": "true"], expected: ["rds-fips.us-east-1.amazonaws.com:443"]),
        EndpointRow(name: "use_fips_endpoint in the profile", config: "[default]\nuse_fips_endpoint = true\n", expected: ["rds-fips.us-east-1.amazonaws.com:443"]),
        EndpointRow(name: "AWS_USE_DUALSTACK_ENDPOINT", environment: ["AWS_USE_DUALSTACK_ENDPOINT": "true"], expected: ["rds.us-east-1.api.aws:443"]),
        EndpointRow(name: "use_dualstack_endpoint and use_fips_endpoint", config: "[default]\nuse_dualstack_endpoint = true\nuse_fips_endpoint = true\n", expected: ["rds-fips.us-east-1.api.aws:443"]),
        EndpointRow(name: "aws-cn", environment: ["AWS_REGION": "cn-north-1"], region: "cn-north-1", expected: ["rds.cn-north-1.amazonaws.com.cn:443"]),
        EndpointRow(name: "aws-us-gov with FIPS", environment: ["AWS_REGION": "us-gov-west-1", "AWS_USE_FIPS_ENDPOINT": "true"], region: "us-gov-west-1", expected: ["rds.us-gov-west-1.amazonaws.com:443"]),
        EndpointRow(name: "STS regional", roleARN: "arn:aws:iam::210987654321:role/snapcopy", expected: ["sts.us-east-1.amazonaws.com:443"]),
        EndpointRow(name: "STS legacy global", environment: ["AWS_STS_REGIONAL_ENDPOINTS": "legacy"], roleARN: "arn:aws:iam::210987654321:role/snapcopy", expected: ["sts.amazonaws.com:443"]),
        EndpointRow(name: "STS in the China partition", environment: ["AWS_REGION": "cn-northwest-1"], region: "cn-northwest-1", roleARN: "arn:aws-cn:iam::210987654321:role/snapcopy", expected: ["sts.cn-northwest-1.amazonaws.com.cn:443"]),
    ]

    @Test("each partition, FIPS and dual-stack setting picks the AWS endpoint botocore would (seen at the proxy, never contacted)", arguments: endpointRows)
    func endpoints(row: EndpointRow) async throws {
        try await withFakeEdge(.proxy) { proxy in
            try await CredentialWorkspace.with(.network) { workspace, server in
                _ = try await workspace.writeWorld(region: row.region, roleARN: row.roleARN)
                workspace.environment.merge(Self.keys) { _, new in new }
                workspace.environment.merge(row.environment) { _, new in new }
                workspace.environment["HTTPS_PROXY"] = "http://127.0.0.1:\(proxy.port)"
                if let config = row.config { try workspace.writeConfig(config) }
                let run = try await workspace.plan(row.profile.map { ["--profile", $0] } ?? [], endpoint: false)
                #expect(run.exitCode == 1, "the proxy refuses every AWS host")
                let refused = try await proxy.stats().refusedTunnels
                #expect(refused.keys.sorted() == row.expected.sorted(), "\(refused)\n\(run.stderr)")
                #expect(try await server.stats().callsByAction.isEmpty)
            }
        }
    }

    @Test("AWS_ENDPOINT_URL_STS sends role assumption to its own endpoint")
    func stsEndpointOverride() async throws {
        try await withFakeEdge(.proxy) { proxy in
            try await CredentialWorkspace.with(.network) { workspace, server in
                _ = try await workspace.writeWorld(roleARN: "arn:aws:iam::210987654321:role/snapcopy")
                workspace.environment.merge(Self.keys) { _, new in new }
                workspace.environment["HTTPS_PROXY"] = "http://127.0.0.1:\(proxy.port)"
                workspace.environment["AWS_ENDPOINT_URL_STS"] = server.endpoint.absoluteString
                let run = try await workspace.plan(endpoint: false)
                #expect(run.exitCode == 1)
                #expect(try await proxy.stats().refusedTunnels.keys.sorted() == ["rds.us-east-1.amazonaws.com:443"])
                #expect(try await server.stats().calls("AssumeRole") == 1, "STS went to AWS_ENDPOINT_URL_STS")
            }
        }
    }

    @Test("without AWS_ENDPOINT_URL_SSO the portal of the sso_region is used")
    func ssoDefaultEndpoint() async throws {
        try await withFakeEdge(.proxy) { proxy in
            try await CredentialWorkspace.with(.network) { workspace, _ in
                _ = try await workspace.writeWorld()
                try workspace.writeConfig(CredentialSourcesTests.ssoSessionConfig)
                try workspace.writeSSOToken("sso-token-do-not-print", cacheKey: SSOCacheKey.corpSession, expiresAt: Date().addingTimeInterval(3600))
                workspace.environment["HTTPS_PROXY"] = "http://127.0.0.1:\(proxy.port)"
                let run = try await workspace.plan(["--profile", "corp", "--debug"])
                #expect(run.exitCode == 1)
                #expect(try await proxy.stats().refusedTunnels.keys.sorted() == ["portal.sso.eu-west-1.amazonaws.com:443"])
                #expect(!run.output.contains("sso-token-do-not-print"))
            }
        }
    }
}
