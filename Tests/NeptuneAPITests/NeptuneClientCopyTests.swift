import Foundation
import Testing
@testable import NeptuneAPI

@Suite("CopyDBClusterSnapshot is never retried blindly")
struct NeptuneClientCopyTests {
    let request = CopyDBClusterSnapshotRequest(sourceIdentifier: "s1", targetIdentifier: "s2")

    @Test("timeout, then the target exists: describe returns it, no second copy")
    func timeoutThenFound() async throws {
        let harness = ClientHarness([
            .failure(TransportError(kind: .timedOut, detail: "")),
            xmlResponse(XMLFixtures.describeOne("s2", status: "creating")),
        ])
        let copy = try await harness.client.copyDBClusterSnapshot(request)
        #expect(copy.identifier == "s2")
        #expect(copy.status == "creating")
        #expect(await harness.sentActions() == ["CopyDBClusterSnapshot", "DescribeDBClusterSnapshots"])
        #expect(await harness.sentParameters()[1]["DBClusterSnapshotIdentifier"] == "s2")
        #expect(await harness.sleeper.sleeps.isEmpty)
    }

    @Test("timeout, target absent: wait, copy again, succeed")
    func timeoutNotFoundThenRetry() async throws {
        let harness = ClientHarness([
            .failure(TransportError(kind: .timedOut, detail: "")),
            xmlResponse(XMLFixtures.motoNotFound, status: 404),
            xmlResponse(XMLFixtures.motoCopy),
        ], random: 1)
        let copy = try await harness.client.copyDBClusterSnapshot(request)
        #expect(copy.identifier == "s2")
        #expect(await harness.sentActions() == ["CopyDBClusterSnapshot", "DescribeDBClusterSnapshots", "CopyDBClusterSnapshot"])
        #expect(await harness.sleeper.sleeps == [.milliseconds(100)])
    }

    @Test("5xx, retry answers AlreadyExists: our earlier attempt worked, describe and return it")
    func alreadyExistsOnRetry() async throws {
        let harness = ClientHarness([
            xmlResponse(XMLFixtures.motoHTML500, status: 500),
            xmlResponse(XMLFixtures.describeEmpty),
            xmlResponse(XMLFixtures.motoAlreadyExists, status: 400),
            xmlResponse(XMLFixtures.describeOne("s2", status: "available")),
        ])
        let copy = try await harness.client.copyDBClusterSnapshot(request)
        #expect(copy.status == "available")
        #expect(await harness.sentActions() == ["CopyDBClusterSnapshot", "DescribeDBClusterSnapshots", "CopyDBClusterSnapshot", "DescribeDBClusterSnapshots"])
    }

    @Test("AlreadyExists on the first attempt is a real conflict")
    func alreadyExistsFirst() async throws {
        let harness = ClientHarness([xmlResponse(XMLFixtures.motoAlreadyExists, status: 400)])
        do {
            _ = try await harness.client.copyDBClusterSnapshot(request)
            Issue.record("expected an error")
        } catch let error as NeptuneAPIError {
            #expect(error.code == .dbClusterSnapshotAlreadyExists)
        }
        #expect(await harness.transport.requests.count == 1)
    }

    @Test("a target copied from another source is not taken for ours")
    func foreignTarget() async throws {
        let source = "arn:aws:rds:us-east-1:123456789012:cluster-snapshot:mine"
        let other = "arn:aws:rds:us-east-1:123456789012:cluster-snapshot:other"
        let harness = ClientHarness([
            .failure(TransportError(kind: .connectionLost, detail: "")),
            xmlResponse(XMLFixtures.describeOne("s2", sourceARN: other)),
            xmlResponse(XMLFixtures.motoAlreadyExists, status: 400),
            xmlResponse(XMLFixtures.describeOne("s2", sourceARN: other)),
        ])
        await #expect(throws: NeptuneAPIError.self) {
            try await harness.client.copyDBClusterSnapshot(.init(sourceIdentifier: source, targetIdentifier: "s2"))
        }
    }

    @Test("throttling on a copy is retried without describing")
    func throttled() async throws {
        let harness = ClientHarness([xmlResponse(XMLFixtures.awsThrottling, status: 400), xmlResponse(XMLFixtures.motoCopy)])
        _ = try await harness.client.copyDBClusterSnapshot(request)
        #expect(await harness.sentActions() == ["CopyDBClusterSnapshot", "CopyDBClusterSnapshot"])
    }

    @Test("every attempt ambiguous and the target never appears: stop after maxAttempts copies")
    func exhausted() async throws {
        let harness = ClientHarness([
            .failure(TransportError(kind: .timedOut, detail: "")), xmlResponse(XMLFixtures.describeEmpty),
            .failure(TransportError(kind: .timedOut, detail: "")),
        ], retryPolicy: RetryPolicy(maxAttempts: 2))
        await #expect(throws: TransportError.self) { try await harness.client.copyDBClusterSnapshot(request) }
        #expect(await harness.sentActions() == ["CopyDBClusterSnapshot", "DescribeDBClusterSnapshots", "CopyDBClusterSnapshot"])
    }

    @Test("delete: NotFound on a retry after an ambiguous failure means it was deleted")
    func deleteRetried() async throws {
        let harness = ClientHarness([.failure(TransportError(kind: .timedOut, detail: "")), xmlResponse(XMLFixtures.motoNotFound, status: 404)])
        let deleted = try await harness.client.deleteDBClusterSnapshot(identifier: "s2")
        #expect(deleted == DBClusterSnapshot(identifier: "s2", status: "deleted"))
        let fresh = ClientHarness([xmlResponse(XMLFixtures.motoNotFound, status: 404)])
        await #expect(throws: NeptuneAPIError.self) { try await fresh.client.deleteDBClusterSnapshot(identifier: "s2") }
    }

    @Test("describeDBClusterSnapshot(identifier:) maps NotFound to nil")
    func describeOne() async throws {
        let harness = ClientHarness([xmlResponse(XMLFixtures.motoNotFound, status: 404), xmlResponse(XMLFixtures.describeOne("s9"))])
        #expect(try await harness.client.describeDBClusterSnapshot(identifier: "nope") == nil)
        #expect(try await harness.client.describeDBClusterSnapshot(identifier: "s9")?.identifier == "s9")
    }
}
