import Foundation
import Testing
import TestSupport
@testable import NeptuneAPI

/// The real stack end to end: AsyncHTTPTransport, SigV4 checked by moto's own verifier,
/// XML from moto, and faults injected by `Tests/FakeNeptune/fake_neptune.py`.
/// Skipped with a message when python3 with moto is missing.
@Suite("Against fake_neptune (moto) over real HTTP", .serialized, .enabled(if: MotoAvailability.isAvailable, "python3 with moto is not available: skipping the fake_neptune tests"))
struct FakeNeptuneIntegrationTests {
    static let transport = TestTransport.shared

    /// A client for `region` signing with `credentials`, retrying without real sleeps.
    private func client(_ server: FakeNeptuneServer, region: String = "us-east-1", credentials: Credentials, counter: APICallCounter? = nil) -> NeptuneClient {
        let configuration = ClientConfiguration(transport: Self.transport, sleeper: RecordingSleeper(), limiter: ConcurrencyLimiter(parallelism: 4), counter: counter)
        return NeptuneClient(region: region, endpoint: server.endpoint, credentials: StaticCredentialProvider(credentials), configuration: configuration)
    }

    private func verifiedCredentials(_ server: FakeNeptuneServer) async throws -> Credentials {
        let keys = try await server.enableSignatureVerification()
        return Credentials(accessKeyID: keys.accessKeyID, secretAccessKey: keys.secretAccessKey)
    }

    private func seedCluster(_ server: FakeNeptuneServer, region: String = "us-east-1", snapshots: [Seed.Snapshot]) async throws {
        _ = try await server.seed(Seed(region: region, clusters: [.init(id: "graph")], snapshots: snapshots))
    }

    @Test("every operation with signatures checked by moto")
    func roundTrip() async throws {
        let server = try await SharedFakeNeptune.fresh()
        try await seedCluster(server, snapshots: [.init(id: "src", cluster: "graph", type: .manual, tags: ["team": "graph"])])
        let neptune = client(server, credentials: try await verifiedCredentials(server))

        let all = try await neptune.describeDBClusterSnapshots(.init(snapshotType: "manual"))
        let source = try #require(all.first { $0.identifier == "src" })
        let sourceARN = try #require(source.arn)
        #expect(try await neptune.listTagsForResource(arn: sourceARN) == [Tag(key: "team", value: "graph")])

        let copy = try await neptune.copyDBClusterSnapshot(.init(sourceIdentifier: "src", targetIdentifier: "dst", tags: [Tag(key: "managed-by", value: "snapcopy")]))
        #expect(copy.identifier == "dst")
        let copyARN = try #require(copy.arn)
        try await neptune.addTagsToResource(arn: copyARN, tags: [Tag(key: "note", value: "a b+c/d=e&f~g*h\u{e9}")])
        try await neptune.removeTagsFromResource(arn: copyARN, tagKeys: ["managed-by"])
        #expect(try await neptune.listTagsForResource(arn: copyARN) == [Tag(key: "note", value: "a b+c/d=e&f~g*h\u{e9}")])

        let deleted = try await neptune.deleteDBClusterSnapshot(identifier: "dst")
        #expect(deleted.identifier == "dst")
        #expect(try await neptune.describeDBClusterSnapshot(identifier: "dst") == nil)
    }

    @Test("a wrong secret is rejected as SignatureDoesNotMatch")
    func wrongSecret() async throws {
        let server = try await SharedFakeNeptune.fresh()
        var credentials = try await verifiedCredentials(server)
        credentials.secretAccessKey += "x"
        do {
            _ = try await client(server, credentials: credentials).describeDBClusterSnapshots()
            Issue.record("expected an error")
        } catch let error as NeptuneAPIError {
            #expect(error.code == .signatureDoesNotMatch)
            #expect(error.description.contains("system clock"))
        }
    }

    @Test("all pages are fetched")
    func paging() async throws {
        let server = try await SharedFakeNeptune.fresh()
        try await seedCluster(server, snapshots: (1...45).map { .init(id: "snap-\($0)", cluster: "graph", type: .manual) })
        try await server.configure(FakeConfig(pageSize: 20))
        try await server.resetStats()
        let snapshots = try await client(server, credentials: suiteCredentials).describeDBClusterSnapshots(.init(snapshotType: "manual", maxRecords: 20))
        #expect(Set(snapshots.compactMap(\.identifier)).count == 45)
        #expect(try await server.stats().calls("DescribeDBClusterSnapshots") == 3)
    }

    @Test("throttling, HTML 500 and connection resets are retried")
    func faults() async throws {
        let server = try await SharedFakeNeptune.fresh()
        try await seedCluster(server, snapshots: [.init(id: "src", cluster: "graph", type: .manual, tags: ["k": "v"])])
        try await server.configure(FakeConfig(faults: [
            FaultRule(.throttle, action: "ListTagsForResource", times: 1),
            FaultRule(.html500, action: "ListTagsForResource", times: 1),
            FaultRule(.reset, action: "ListTagsForResource", times: 1),
        ]))
        let counter = APICallCounter()
        let neptune = client(server, credentials: suiteCredentials, counter: counter)
        let tags = try await neptune.listTagsForResource(arn: "arn:aws:rds:us-east-1:123456789012:cluster-snapshot:src")
        #expect(tags == [Tag(key: "k", value: "v")])
        #expect(await counter.byAction["ListTagsForResource"] == 4)
        #expect(try await server.stats().totalFaultsInjected == 3)
    }

    @Test("a copy whose response is lost is verified, not made twice")
    func lostCopyResponse() async throws {
        let server = try await SharedFakeNeptune.fresh()
        try await seedCluster(server, snapshots: [.init(id: "src", cluster: "graph", type: .manual)])
        try await server.configure(FakeConfig(faults: [FaultRule(.internalFailure, action: "CopyDBClusterSnapshot", times: 1, phase: .after)]))
        let copy = try await client(server, credentials: suiteCredentials).copyDBClusterSnapshot(.init(sourceIdentifier: "src", targetIdentifier: "dst"))
        #expect(copy.identifier == "dst")
        let stats = try await server.stats()
        #expect(stats.copiesCreatedByTarget["dst"] == 1)
        #expect(stats.copyRequestsByTarget["dst"] == 1)
    }

    @Test("a cross-region copy carries a pre-signed URL and lands in the destination region")
    func crossRegion() async throws {
        let server = try await SharedFakeNeptune.fresh()
        try await seedCluster(server, region: "us-east-1", snapshots: [.init(id: "src", cluster: "graph", type: .manual)])
        let source = "arn:aws:rds:us-east-1:123456789012:cluster-snapshot:src"
        let west = client(server, region: "us-west-2", credentials: suiteCredentials)
        let copy = try await west.copyDBClusterSnapshot(.init(sourceIdentifier: source, targetIdentifier: "dst-west", sourceRegion: "us-east-1"))
        #expect(copy.arn?.hasPrefix("arn:aws:rds:us-west-2:") == true)
        #expect(try await west.describeDBClusterSnapshot(identifier: "dst-west") != nil)
    }

    @Test("roles are assumed through STS on the same endpoint, once per role")
    func assumeRole() async throws {
        let server = try await SharedFakeNeptune.fresh()
        let base = try await server.makeCredentials()
        let counter = APICallCounter()
        let configuration = ClientConfiguration(transport: Self.transport, sleeper: RecordingSleeper(), counter: counter)
        let factory = NeptuneClientFactory(
            baseCredentials: StaticCredentialProvider(Credentials(accessKeyID: base.accessKeyID, secretAccessKey: base.secretAccessKey)),
            endpoint: server.endpoint, stsEndpoint: server.endpoint, stsRegion: "us-east-1", configuration: configuration
        )
        let role = "arn:aws:iam::222222222222:role/copier"
        for region in ["us-east-1", "eu-west-1"] {
            _ = try await factory.client(region: region, roleARN: role).describeDBClusterSnapshots()
        }
        #expect(await counter.byAction == ["AssumeRole": 1, "DescribeDBClusterSnapshots": 2])
    }
}

/// One fake_neptune server for the whole suite (starting one takes seconds), reset before
/// each test. The Python process exits by itself when the test process ends.
enum SharedFakeNeptune {
    private static let server = Task { try await FakeNeptuneServer.start() }

    /// The shared server with moto's state, faults, auth and counters reset.
    static func fresh() async throws -> FakeNeptuneServer {
        let server = try await server.value
        try await server.reset()
        return server
    }
}

