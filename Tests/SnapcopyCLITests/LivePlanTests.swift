import Foundation
import SnapcopyCore
import Testing
import TestSupport

/// `snapcopy plan` without `--live-state`: the built binary against fake_neptune (moto), reached
/// with `--endpoint-url` and credentials passed in the child's environment only.
///
/// The world: account A (the default credentials) has Neptune snapshots in us-east-1 and a
/// cluster in us-west-2; account B is reached through a manifest `roleArn`; both also hold
/// Aurora snapshots, one named like a Neptune target, that must be ignored.
@Suite("plan against the live API (fake_neptune)", .serialized,
       .enabled(if: MotoAvailability.isAvailable, "python3 with moto is not available: skipping the live plan tests"))
struct LivePlanTests {
    static let accountA = FakeNeptuneServer.defaultAccount
    static let accountB = "210987654321"
    static let roleB = "arn:aws:iam::\(accountB):role/snapcopy"
    static let secretKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY"
    static let sessionToken = "FwoGZXIvYXdzEXAMPLESESSIONTOKENdoNotPrintMe"

    static func arn(_ id: String, account: String = accountA, region: String = "us-east-1") -> String {
        "arn:aws:rds:\(region):\(account):cluster-snapshot:\(id)"
    }

    // MARK: - Tests

    @Test("plans create, update-tags, adopt and wait across two regions and two accounts; Aurora is ignored")
    func plan() async throws {
        let server = try await LiveServer.fresh()
        try await Self.seedWorld(server)
        try await withTemporaryDirectory(prefix: "snapcopy-live") { directory in
            let run = try await Self.plan(server, in: directory)
            try #require(run.exitCode == 0, "\(run.stderr)")
            #expect(run.stderr.isEmpty)
            let plan = try JSONDecoder().decode(Plan.self, from: Data(run.stdout.utf8))
            #expect(plan.problems.isEmpty, "\(plan.problems)")
            let byTarget = Dictionary(uniqueKeysWithValues: plan.changes.map { ($0.target, $0) })
            #expect(plan.changes.map(\.target).sorted() == [
                "partner-1-copy", "partner-shared-copy", "prod-1-copy", "prod-1-dr", "prod-1-weekly", "prod-2-copy", "prod-3-dr", "reports-weekly",
            ])

            let updated = try #require(byTarget["prod-1-copy"])
            #expect(updated.action == .updateTags)
            #expect(updated.tagChanges == [
                TagChange(key: "stale", before: "x", after: nil),
                TagChange(key: "team", before: "old", after: "graph"),
            ])
            #expect(updated.before?.arn == Self.arn("prod-1-copy"))

            let adopted = try #require(byTarget["prod-2-copy"])
            #expect(adopted.action == .adopt)
            #expect(adopted.tagChanges.isEmpty)
            #expect(adopted.before?.sourceARN == Self.arn("prod-2"))

            let copying = try #require(byTarget["prod-1-weekly"])
            #expect(copying.action == .wait)
            #expect(copying.reasons == ["the copy is copying (30%)"])

            let waitingForSource = try #require(byTarget["prod-3-dr"])
            #expect(waitingForSource.action == .wait)
            #expect(waitingForSource.reasons == ["the source prod-3 is creating (40%); the copy starts once it is available"])

            let sameRegion = try #require(byTarget["reports-weekly"])
            #expect(sameRegion.action == .create, "the Aurora snapshot named reports-weekly must not count as the target")
            #expect(sameRegion.after?.tags == ["team": "graph", TagRules.ownershipKey: Self.arn("prod-2")])

            let crossRegion = try #require(byTarget["prod-1-dr"])
            #expect(crossRegion.action == .create)
            #expect(crossRegion.region == "us-west-2")
            #expect(crossRegion.reasons == ["copy from us-east-1 to us-west-2"])

            let otherAccount = try #require(byTarget["partner-1-copy"])
            #expect(otherAccount.action == .create)
            #expect(otherAccount.after?.roleARN == Self.roleB)
            #expect(otherAccount.after?.tags == [
                "owner": "partner", "team": "graph", TagRules.ownershipKey: Self.arn("partner-1", account: Self.accountB),
            ], "copyTags reads the source's tags through the assumed role")
            #expect(otherAccount.reasons == ["copy within us-east-1"])

            let shared = try #require(byTarget["partner-shared-copy"], "a snapshot shared with A is listed (IncludeShared)")
            #expect(shared.action == .create)
            #expect(shared.after?.sourceARN == Self.arn("partner-shared", account: Self.accountB))

            // The endpoint may also come from the environment, and the text plan has the same content.
            let fromEnvironment = try await Self.plan(server, in: directory, endpointFlag: false, extraEnvironment: ["AWS_ENDPOINT_URL_NEPTUNE": server.endpoint.absoluteString])
            #expect(fromEnvironment.exitCode == 0, "\(fromEnvironment.stderr)")
            #expect(fromEnvironment.stdout == run.stdout)
        }
    }

    @Test("--debug logs every attempt and the call count, which matches the fake's count and the formula; no secret is printed")
    func debugCounts() async throws {
        let server = try await LiveServer.fresh()
        try await Self.seedWorld(server)
        try await withTemporaryDirectory(prefix: "snapcopy-live") { directory in
            try await server.resetStats()
            let run = try await Self.plan(server, in: directory, arguments: ["--debug"], extraEnvironment: ["AWS_SESSION_TOKEN": Self.sessionToken])
            try #require(run.exitCode == 0, "\(run.stderr)")
            let stats = try await server.stats()
            // 3 scopes (us-east-1, us-east-1 as role B, us-west-2) × 1 page, 1 AssumeRole, and 4 tag
            // look-ups: the 3 existing Neptune targets in A and the copied source in B.
            #expect(stats.callsByAction == ["DescribeDBClusterSnapshots": 3, "AssumeRole": 1, "ListTagsForResource": 4])
            #expect(run.stderr.contains("debug: API calls: 8 (AssumeRole 1, DescribeDBClusterSnapshots 3, ListTagsForResource 4)\n"))
            let attempts = run.stderr.split(separator: "\n").filter { $0.contains(" attempt 1: HTTP 200 in ") }
            #expect(attempts.count == 8)
            #expect(attempts.contains { $0.hasPrefix("debug: Neptune DescribeDBClusterSnapshots us-west-2 attempt 1: HTTP 200 in ") })
            #expect(attempts.contains { $0.hasPrefix("debug: STS AssumeRole us-east-1 attempt 1: HTTP 200 in ") })
            for output in [run.stdout, run.stderr] {
                for secret in [Self.secretKey, Self.sessionToken, "Authorization", "X-Amz-Signature", "Signature=", "X-Amz-Security-Token"] {
                    #expect(!output.contains(secret), "printed \(secret)")
                }
            }
            #expect(run.stderr.contains("credentials chain(environment,"))
        }
    }

    @Test("pages of 20 give the same plan as one page, with one describe per page")
    func paging() async throws {
        let server = try await LiveServer.fresh()
        try await Self.seedWorld(server)
        _ = try await server.seed(Seed(region: "us-east-1", snapshots: (1...45).map {
            .init(id: "bulk-\($0)", cluster: "graph", type: .manual, tags: ["n": "\($0)"], createdAt: Self.createdAt)
        }))
        try await withTemporaryDirectory(prefix: "snapcopy-live") { directory in
            let onePage = try await Self.plan(server, in: directory)
            try #require(onePage.exitCode == 0, "\(onePage.stderr)")
            try await server.configure(FakeConfig(pageSize: 20))
            try await server.resetStats()
            let paged = try await Self.plan(server, in: directory)
            #expect(paged.exitCode == 0, "\(paged.stderr)")
            #expect(paged.stdout == onePage.stdout)
            // A's us-east-1 holds 52 snapshots of any engine (3 pages); B and us-west-2 one page each.
            let stats = try await server.stats()
            #expect(stats.callsByRegionAndAction["us-east-1"]?["DescribeDBClusterSnapshots"] == 4)
            #expect(stats.callsByRegionAndAction["us-west-2"]?["DescribeDBClusterSnapshots"] == 1)
            #expect(stats.calls("ListTagsForResource") == 4)
        }
    }

    @Test("with signature checks on, the right key plans and a wrong secret fails with exit 1 naming the signature")
    func signatureVerification() async throws {
        let server = try await LiveServer.fresh()
        try await Self.seedWorld(server)
        try await withTemporaryDirectory(prefix: "snapcopy-live") { directory in
            let unchecked = try await Self.plan(server, in: directory)
            try #require(unchecked.exitCode == 0, "\(unchecked.stderr)")
            let keys = try await server.enableSignatureVerification()

            let right = try await Self.plan(server, in: directory, keys: (keys.accessKeyID, keys.secretAccessKey))
            #expect(right.exitCode == 0, "\(right.stderr)")
            #expect(right.stdout == unchecked.stdout)

            let wrongSecret = keys.secretAccessKey + "x"
            let wrong = try await Self.plan(server, in: directory, keys: (keys.accessKeyID, wrongSecret))
            #expect(wrong.exitCode == 1)
            let document = try JSONDecoder().decode(ErrorDocumentShape.self, from: Data(wrong.stdout.utf8))
            #expect(document.formatVersion == 1 && document.exitCode == 1, "--format json prints the error as JSON on stdout")
            #expect(document.error.message.contains("SignatureDoesNotMatch"))
            #expect(wrong.stderr.hasPrefix("snapcopy: "))
            #expect(wrong.stderr.contains("SignatureDoesNotMatch (HTTP 403): The request signature we calculated does not match the signature you provided."))
            #expect(wrong.stderr.contains("Check the secret access key and that the system clock is correct."))
            #expect(wrong.stderr.split(separator: "\n").count == 1, "one error, not one per failed call:\n\(wrong.stderr)")
            #expect(!wrong.stderr.contains(wrongSecret))
            #expect(!wrong.stderr.contains(keys.secretAccessKey))

            // The first failure cancels the calls still in flight; that must never hang the run
            // (with the old URLSession transport it deadlocked about one run in ten on Linux).
            for _ in 1...8 {
                let again = try await Self.plan(server, in: directory, keys: (keys.accessKeyID, wrongSecret), timeout: .seconds(20))
                #expect(again.exitCode == 1)
            }
        }
    }

    @Test("throttling and server errors are retried and give the same plan")
    func faultsAreRetried() async throws {
        let server = try await LiveServer.fresh()
        try await Self.seedWorld(server)
        try await withTemporaryDirectory(prefix: "snapcopy-live") { directory in
            let clean = try await Self.plan(server, in: directory)
            try #require(clean.exitCode == 0, "\(clean.stderr)")
            try await server.configure(FakeConfig(faults: [
                FaultRule(.throttle, action: "DescribeDBClusterSnapshots", times: 1),
                FaultRule(.internalFailure, action: "ListTagsForResource", times: 2),
                FaultRule(.serviceUnavailable, action: "AssumeRole", times: 1),
                FaultRule(.html500, action: "DescribeDBClusterSnapshots", times: 1, region: "us-west-2"),
            ]))
            try await server.resetStats()
            let faulted = try await Self.plan(server, in: directory, arguments: ["--debug"])
            #expect(faulted.exitCode == 0, "\(faulted.stderr)")
            #expect(faulted.stdout == clean.stdout)
            let stats = try await server.stats()
            #expect(stats.totalFaultsInjected == 5)
            #expect(faulted.stderr.contains("debug: API calls: 13 (AssumeRole 2, DescribeDBClusterSnapshots 5, ListTagsForResource 6)\n"))
            #expect(faulted.stderr.contains("attempt 2: HTTP 200"))
        }
    }

    @Test("without credentials anywhere: exit 1 with the chain's message naming every place tried")
    func noCredentials() async throws {
        let server = try await LiveServer.fresh()
        try await Self.seedWorld(server)
        try await withTemporaryDirectory(prefix: "snapcopy-live") { directory in
            try await server.resetStats()
            let run = try await Self.plan(server, in: directory, keys: nil)
            #expect(run.exitCode == 1)
            let document = try JSONDecoder().decode(ErrorDocumentShape.self, from: Data(run.stdout.utf8))
            #expect(document.error.message.hasPrefix("No AWS credentials found."), "\(run.stdout)")
            #expect(document.error.fix != nil)
            let home = directory.url.path
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
            #expect(try await server.stats().callsByAction.isEmpty)
        }
    }

    @Test("without a region anywhere: exit 1 naming every place looked at")
    func noRegion() async throws {
        let server = try await LiveServer.fresh()
        try await withTemporaryDirectory(prefix: "snapcopy-live") { directory in
            let run = try await Self.plan(server, in: directory, region: nil)
            #expect(run.exitCode == 1)
            #expect(run.stderr.hasPrefix("snapcopy: No AWS region is configured.\n  looked at:\n    1. --region\n    2. AWS_REGION\n"))
            #expect(run.stderr.contains("  fix: Pass --region (for example --region us-east-1) or set AWS_REGION."))
        }
    }

    // MARK: - The world

    static let createdAt = Date(timeIntervalSince1970: 1_795_000_000)

    static let manifest = """
        {"version": 1, "defaults": {"region": "us-east-1", "tags": {"team": "graph"}}, "copies": [
          {"source": "prod-1", "target": "prod-1-copy"},
          {"source": "prod-2", "target": "prod-2-copy"},
          {"source": "prod-1", "target": "prod-1-weekly"},
          {"source": "prod-2", "target": "reports-weekly"},
          {"source": "\(arn("prod-1"))", "target": "prod-1-dr", "region": "us-west-2"},
          {"source": "\(arn("prod-3"))", "target": "prod-3-dr", "region": "us-west-2"},
          {"source": "partner-1", "target": "partner-1-copy", "roleArn": "\(roleB)", "copyTags": true},
          {"source": "\(arn("partner-shared", account: accountB))", "target": "partner-shared-copy"}
        ]}
        """

    /// Seeds both accounts; every snapshot has a fixed creation time so plans compare byte for byte.
    static func seedWorld(_ server: FakeNeptuneServer) async throws {
        func snapshot(_ id: String, cluster: String = "graph", tags: [String: String] = [:], status: String? = nil, progress: Int? = nil) -> Seed.Snapshot {
            .init(id: id, cluster: cluster, type: .manual, tags: tags, status: status, percentProgress: progress, createdAt: createdAt)
        }
        try await server.seed(Seed(
            account: accountA, region: "us-east-1",
            clusters: [.init(id: "graph"), .init(id: "reports", engine: "aurora-mysql")],
            snapshots: [
                snapshot("prod-1", tags: ["env": "prod"]),
                snapshot("prod-2"),
                snapshot("prod-3", status: "creating", progress: 40),
                snapshot("prod-1-copy", tags: [TagRules.ownershipKey: arn("prod-1"), "team": "old", "stale": "x"]),
                snapshot("prod-2-copy", tags: [TagRules.ownershipKey: arn("prod-2"), "team": "graph"]),
                snapshot("prod-1-weekly", tags: [TagRules.ownershipKey: arn("prod-1"), "team": "graph"], status: "copying", progress: 30),
                snapshot("reports-weekly", cluster: "reports", tags: ["team": "reports"]),
            ]))
        try await server.seed(Seed(account: accountA, region: "us-west-2", clusters: [.init(id: "graph-west")]))
        try await server.seed(Seed(
            account: accountB, region: "us-east-1",
            clusters: [.init(id: "partner"), .init(id: "partner-aurora", engine: "aurora-postgresql")],
            snapshots: [
                snapshot("partner-1", cluster: "partner", tags: ["owner": "partner"]),
                snapshot("partner-1-copy", cluster: "partner-aurora"),
                .init(id: "partner-shared", cluster: "partner", type: .manual, tags: [:], shareWith: [accountA], createdAt: createdAt),
                .init(id: "partner-private", cluster: "partner", type: .manual, tags: [:], createdAt: createdAt),
            ],
            roles: [.init(name: "snapcopy")]))
    }

    /// Runs `snapcopy plan --format json` on the manifest, with `keys` (nil: none) in the child's environment.
    static func plan(
        _ server: FakeNeptuneServer, in directory: TemporaryDirectory, arguments: [String] = [],
        keys: (accessKeyID: String, secret: String)? = ("AKIDEXAMPLE7EXAMPLE", secretKey), region: String? = "us-east-1",
        endpointFlag: Bool = true, extraEnvironment: [String: String] = [:], timeout: Duration = .seconds(45)
    ) async throws -> ProcessResult {
        let manifest = try directory.write(manifest, to: "manifests/copies.json")
        // No test but the IMDS ones may reach for the instance metadata address.
        var environment = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "HOME": directory.url.path,
                           "AWS_EC2_METADATA_DISABLED": "true"]
        if let keys {
            environment["AWS_ACCESS_KEY_ID"] = keys.accessKeyID
            environment["AWS_SECRET_ACCESS_KEY"] = keys.secret
        }
        if let region { environment["AWS_REGION"] = region }
        environment.merge(extraEnvironment) { _, new in new }
        let endpoint = endpointFlag ? ["--endpoint-url", server.endpoint.absoluteString] : []
        return try await runProcess(
            executable: try snapcopyBinary(),
            arguments: ["plan", manifest.path, "--lock-file", directory.appending("snapcopy.lock").path, "--format", "json"] + endpoint + arguments,
            environment: environment, currentDirectory: directory.url, timeout: timeout)
    }
}

/// One fake_neptune for the suite (starting one takes ~2 s), reset before each test.
enum LiveServer {
    private static let server = Task { try await FakeNeptuneServer.start() }

    static func fresh() async throws -> FakeNeptuneServer {
        let server = try await server.value
        try await server.reset()
        return server
    }
}

/// The error document `--format json` prints on stdout when a command fails (schemas/error.schema.json).
struct ErrorDocumentShape: Decodable {
    struct Detail: Decodable {
        var message: String
        var fix: String?
    }

    var formatVersion: Int
    var exitCode: Int
    var error: Detail
}
