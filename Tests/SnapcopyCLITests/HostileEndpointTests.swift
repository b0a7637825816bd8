import Foundation
import Testing
import TestSupport

/// The built `snapcopy plan` against the hostile endpoint (`Tests/FakeNeptune/hostile_server.py`):
/// exit 1, one readable `snapcopy:` message naming the action, region and what came back, no
/// crash, no secret, no lock file written.
@Suite("snapcopy plan against a hostile endpoint")
struct HostileEndpointTests {
    static let secretKey = "hostile-secret-key-DO-NOT-PRINT-0123456789"
    static let sessionToken = "hostile-session-token-DO-NOT-PRINT"

    struct Case: Sendable, CustomTestStringConvertible {
        var scenario: HostileServer.Scenario
        /// The whole of standard error, one line (`PORT` stands for the server's port); for
        /// answers that quote the request (dates, signatures), only its start.
        var message: String
        var isPrefix = false
        var testDescription: String { scenario.rawValue }
    }

    @Test("exit 1 with one readable message, no crash, no secret", arguments: [
        Case(scenario: .html502, message: "snapcopy: Neptune DescribeDBClusterSnapshots in us-east-1 failed with HTTP 502: the error body is <html>, not an AWS error document (Content-Type text/html). Body starts with: \"<html> <head><title>502 Bad Gateway</title></head> <body> <center><h1>502 Bad Gateway</h1></center> </body> </html>\" Check the endpoint URL and any proxy between snapcopy and AWS."),
        Case(scenario: .truncated, message: "snapcopy: Neptune DescribeDBClusterSnapshots in us-east-1 failed with HTTP 200: the response is truncated (Content-Type text/xml). Body starts with: \"<?xml version=\"1.0\" encoding=\"UTF-8\"?> <DescribeDBClusterSnapshotsResponse xmlns=\"http://rds.amazonaws.com/doc/2014-10-31/\"><DescribeDBClusterSnapshotsResult><DBClusterSnapshots><DBClusterSnapshot><DB\" Check the endpoint URL and any proxy between snapcopy and AWS."),
        Case(scenario: .sameMarker, message: "snapcopy: Neptune DescribeDBClusterSnapshots in us-east-1 failed with HTTP 200: page 2 has the same pagination marker as page 1, so the pages would repeat forever; stopped after 2 pages. Check the endpoint URL and any proxy between snapcopy and AWS."),
        Case(scenario: .error200, message: "snapcopy: Neptune DescribeDBClusterSnapshots in us-east-1 failed: AccessDenied (HTTP 200): User is not authorized to perform: rds:DescribeDBClusterSnapshots. Check the IAM policy of the credentials (or assumed role) in use. (request ID hostile-error-1)"),
        Case(scenario: .closeBody, message: "snapcopy: DescribeDBClusterSnapshots in us-east-1 failed: the request to 127.0.0.1:PORT lost its connection (the connection closed before the response was complete). Check your network connection, proxy settings (HTTPS_PROXY, HTTP_PROXY, NO_PROXY) and endpoint URL, then try again."),
        Case(scenario: .echo, message: "snapcopy: Neptune DescribeDBClusterSnapshots in us-east-1 failed with HTTP 400: the error body is not XML (Content-Type text/html). Body starts with: \"<html><pre>Signature=<redacted> x-amz-security-token: <redacted> authorization: AWS4-HMAC-SHA256 Credential=<redacted>, SignedHeaders=content-type;host;x-\" Check the endpoint URL and any proxy between snapcopy and AWS.", isPrefix: true),
    ])
    func plan(_ row: Case) async throws {
        let server = try await HostileServer.shared.value
        let endpoint = server.endpoint(row.scenario)
        try await withTemporaryDirectory(prefix: "snapcopy-hostile") { directory in
            let manifest = try directory.write("""
                {"version": 1, "copies": [{"source": "snap-1", "target": "snap-1-copy", "region": "us-east-1"}]}

                """, to: "copies.json")
            let environment = [
                "PATH": "/usr/bin:/bin", "HOME": directory.url.path, "NO_COLOR": "1",
                "AWS_ACCESS_KEY_ID": "AKIAHOSTILETESTS0001", "AWS_SECRET_ACCESS_KEY": Self.secretKey,
                "AWS_SESSION_TOKEN": Self.sessionToken, "AWS_REGION": "us-east-1", "AWS_EC2_METADATA_DISABLED": "true",
                "AWS_CONFIG_FILE": directory.appending("no-config").path,
                "AWS_SHARED_CREDENTIALS_FILE": directory.appending("no-credentials").path,
                "AWS_ENDPOINT_URL": endpoint.absoluteString,
            ]
            let lockPath = directory.appending("snapcopy.lock").path
            let clock = ContinuousClock()
            let start = clock.now
            let run = try await runProcess(
                executable: try snapcopyBinary(), arguments: ["plan", manifest.path, "--lock-file", lockPath],
                environment: environment, currentDirectory: directory.url, timeout: .seconds(30))
            let elapsed = start.duration(to: clock.now)
            #expect(run.exitCode == 1, "\(run.stderr)")
            #expect(run.stdout.isEmpty, "\(run.stdout)")
            let expected = row.message.replacingOccurrences(of: "PORT", with: String(server.base.port ?? 0))
            if row.isPrefix {
                #expect(run.stderr.hasPrefix(expected) && run.stderr.filter { $0 == "\n" }.count == 1, "\(run.stderr)")
            } else {
                #expect(run.stderr == expected + "\n", "\(run.stderr)")
            }
            let output = run.stdout + run.stderr
            for secret in [Self.secretKey, Self.sessionToken, "X-Amz-Signature="] {
                #expect(!output.contains(secret), "leaked \(secret)")
            }
            #expect(output.firstMatch(of: #/(?i)signature=[0-9a-f]|[0-9a-f]{64}/#) == nil, "a signature leaked: \(output)")
            #expect(!run.stderr.contains("Fatal error") && !run.stderr.contains("Stack dump"))
            #expect(!FileManager.default.fileExists(atPath: lockPath), "plan writes no lock file")
            #expect(elapsed < .seconds(15), "took \(elapsed)")
        }
    }
}
