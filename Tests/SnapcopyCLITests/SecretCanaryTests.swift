import Foundation
import Testing
import TestSupport

private typealias Entry = ApplyManifest.Entry

/// The secrets canary itself: it must find every kind of leak, and every run of a program named
/// `snapcopy` through `runProcess` must go through it (else the end-to-end suite proves nothing).
@Suite struct SecretCanaryTests {
    /// The canary's token, and a secret key without the canary's marker, so that only the
    /// scanner's knowledge of the run's own secrets can find its encoded forms.
    static let plainSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
    static let environment = SecretCanary.credentialEnvironment.merging(["AWS_SECRET_ACCESS_KEY": plainSecret]) { _, new in new }

    @Test("the scanner finds secrets (plain, percent-encoded, JSON-escaped), signatures and pre-signed URLs, and passes clean text")
    func scannerFindsEachKind() {
        let secrets = SecretCanary.secrets(givenIn: Self.environment)
        let encodedKey = Self.plainSecret.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        let leaking: [(String, String)] = [
            ("the secret key", "key: \(SecretCanary.secretAccessKey)"),
            ("the token", "x-amz-security-token: \(SecretCanary.sessionToken)"),
            ("the run's own secret", "key: \(Self.plainSecret)"),
            ("a percent-encoded secret", "body=\(encodedKey)"),
            ("a JSON-escaped secret", "{\"k\": \"\(Self.plainSecret.replacingOccurrences(of: "/", with: "\\/"))\"}"),
            ("an X-Amz-Signature", "...&x-amz-signature=0123"),
            ("a form-encoded X-Amz-Signature", "...%26X-Amz-Signature%3D0123abcd"),
            ("an X-Amz-Security-Token header", "x-amz-security-token: IQoJb3JpZ2luX2Vj"),
            ("an Authorization header", "Authorization: AWS4-HMAC-SHA256 Credential=AKIA/20261201/us-east-1/rds/aws4_request, SignedHeaders=host, Signature=" + String(repeating: "ab", count: 32)),
            ("a pre-signed URL", "PreSignedUrl=https%3A%2F%2Frds.us-east-1.amazonaws.com"),
            ("a pre-signed URL in clear", "https://rds.us-east-1.amazonaws.com/?Action=CopyDBClusterSnapshot&SourceRegion=us-east-1"),
            ("an issued fake secret", "SecretAccessKey: fake-secret-imds-1"),
        ]
        for (what, text) in leaking {
            #expect(!SecretCanary.leaks(in: text, place: "stdout", secrets: secrets).isEmpty, "missed \(what): \(text)")
        }
        let clean = """
            + lp-far (us-west-2) create: copy of arn:aws:rds:us-east-1:123456789012:cluster-snapshot:src (cross-region: a pre-signed URL is made at apply)
            Credentials(source: environment, accessKeyID: AKIA****Y001, sessionToken: <redacted>)
            the error body: "<html><pre>Signature=<redacted> x-amz-security-token: <redacted> authorization: AWS4-HMAC-SHA256 Credential=<redacted>, SignedHeaders=host"
            """
        #expect(SecretCanary.leaks(in: clean, place: "stdout", secrets: secrets).isEmpty)
    }

    /// Writes an executable shell script named `snapcopy` into `directory`.
    private func fakeSnapcopy(_ script: String, in directory: TemporaryDirectory) throws -> URL {
        let url = try directory.write("#!/bin/sh\n" + script + "\n", to: "bin/snapcopy")
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path)
        return url
    }

    @Test("a run of `snapcopy` that prints the secret, or writes the token to a file it makes, fails with the place named")
    func runsAreScanned() async throws {
        try await withTemporaryDirectory(prefix: "snapcopy-canary") { directory in
            let environment = Self.environment.merging(["PATH": "/usr/bin:/bin"]) { _, new in new }
            let printing = try fakeSnapcopy("echo \"debug: $AWS_SECRET_ACCESS_KEY\" >&2", in: directory)
            await #expect {
                _ = try await runProcess(executable: printing, environment: environment, currentDirectory: directory.url)
            } throws: { error in
                (error as? SecretLeakError)?.leaks.contains { $0.place == "stderr" && $0.line == 1 } == true
            }

            let writing = try fakeSnapcopy("printf 'plan\\n%s\\n' \"$AWS_SESSION_TOKEN\" > \"$1\"", in: directory)
            let planFile = directory.appending("out/plan.json").path
            try FileManager.default.createDirectory(atPath: directory.appending("out").path, withIntermediateDirectories: true)
            await #expect {
                _ = try await runProcess(executable: writing, arguments: [planFile], environment: environment, currentDirectory: directory.url)
            } throws: { error in
                (error as? SecretLeakError)?.leaks.contains { $0.place.hasSuffix("out/plan.json") && $0.line == 2 } == true
            }

            let quiet = try fakeSnapcopy("echo 'Plan: 1 to create.'", in: directory)
            let run = try await runProcess(executable: quiet, environment: environment, currentDirectory: directory.url)
            #expect(run.stdout == "Plan: 1 to create.\n")
        }
    }
}

/// Every command, with `--debug`, under faults that make it retry, signing with the canary's key
/// and session token: nothing it prints or writes holds a secret (`runProcess` throws on a leak).
@Suite("secrets canary: every command with --debug (built binary against fake_neptune)", .serialized,
       .enabled(if: ApplyMoto.isAvailable, ApplyMoto.skipMessage))
struct SecretCanaryEndToEndTests {
    @Test("plan --out, show, apply of the saved plan (cross-region, pre-signed URL, retries), drift in every format, refresh, capture and cancel leak nothing")
    func everyCommandWithDebug() async throws {
        let server = try await ApplyServers.canary()
        try await withTemporaryDirectory(prefix: "snapcopy-canary-e2e") { directory in
            let workspace = try ApplyWorkspace(server: server, directory: directory)
            #expect(workspace.environment["AWS_SESSION_TOKEN"] == SecretCanary.sessionToken)
            try await server.seedSources(["src-canary"], tags: ["team": "graph"])
            let source = ApplyWorkspace.snapshotARN("src-canary")
            try workspace.write(ApplyManifest([
                Entry(source: "src-canary", target: "canary-same", tags: ["owner": "dba"]),
                Entry(source: source, target: "canary-far", region: "us-west-2", copyTags: true),
            ]))
            try await server.configure(FakeConfig(faults: [
                FaultRule(.throttle, action: "DescribeDBClusterSnapshots", times: 2),
                FaultRule(.internalFailure, action: "CopyDBClusterSnapshot", times: 1),
                FaultRule(.throttle, action: "ListTagsForResource", times: 1),
            ]))
            let debug = ["--debug"] + workspace.commonOptions
            let plan = try await workspace.run(["plan", "copies.json", "--out", directory.appending("saved.plan").path] + debug)
            #expect(plan.exitCode == 0, "\(plan.stderr)")
            #expect(plan.stderr.contains("DescribeDBClusterSnapshots"), "--debug logs the calls:\n\(plan.stderr)")
            for format in ["text", "json", "markdown"] {
                let show = try await workspace.run(["show", directory.appending("saved.plan").path, "--format", format])
                #expect(show.exitCode == 0, "\(show.stderr)")
            }
            let apply = try await workspace.run(["apply", directory.appending("saved.plan").path, "--auto-approve", "--format", "json",
                                                 "--poll-interval", "200ms"] + debug)
            #expect(apply.exitCode == 0, "\(apply.stdout)\n\(apply.stderr)")
            #expect(try await server.stats().calls("CopyDBClusterSnapshot") >= 3, "a retried copy call, and the cross-region one with its pre-signed URL")
            for format in ["text", "json", "markdown", "junit"] {
                let drift = try await workspace.run(["drift", "copies.json", "--format", format,
                                                     "--output", directory.appending("drift.\(format)").path] + debug)
                #expect(drift.exitCode == 0, "\(drift.stdout)\n\(drift.stderr)")
            }
            let refresh = try await workspace.run(["refresh", "copies.json"] + debug)
            #expect(refresh.exitCode == 0, "\(refresh.stderr)")
            let capture = try await workspace.run(["capture", "--region", "us-east-1", "--region", "us-west-2",
                                                   "--out", directory.appending("capture").path,
                                                   "--debug", "--endpoint-url", server.endpoint.absoluteString])
            #expect(capture.exitCode == 0, "\(capture.stderr)")

            try await server.configure(FakeConfig(copyingSeconds: 300))
            try workspace.write(ApplyManifest([
                Entry(source: "src-canary", target: "canary-same", tags: ["owner": "dba"]),
                Entry(source: source, target: "canary-far", region: "us-west-2", copyTags: true),
                Entry(source: source, target: "canary-slow", region: "us-west-2"),
            ]))
            let started = try await workspace.apply(["copies.json"], ["--no-wait"] + ["--debug"])
            #expect(started.exitCode == 0, "\(started.stderr)")
            let cancel = try await workspace.run(["cancel", "canary-slow"] + debug)
            #expect(cancel.exitCode == 0, "\(cancel.stdout)\n\(cancel.stderr)")
            // The lock file itself (written by every apply above) was scanned after each run; once more here.
            let lock = String(decoding: try #require(workspace.lockBytes()), as: UTF8.self)
            #expect(SecretCanary.leaks(in: lock, place: "snapcopy.lock", secrets: SecretCanary.secrets(givenIn: workspace.environment)).isEmpty)
        }
    }
}
