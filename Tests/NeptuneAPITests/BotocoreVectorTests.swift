import Foundation
import Testing
@testable import NeptuneAPI

/// snapcopy's requests, byte for byte against vectors botocore produced (checked in).
@Suite("Requests identical to botocore (checked-in vectors)")
struct BotocoreVectorTests {
    static let copyRequest = CopyDBClusterSnapshotRequest(
        sourceIdentifier: "arn:aws:rds:us-east-1:123456789012:cluster-snapshot:src snap",
        targetIdentifier: "dst-copy",
        kmsKeyID: "alias/my key",
        copyTags: true,
        tags: [Tag(key: "team", value: QueryEncodingTests.tricky)],
        sourceRegion: "us-east-1"
    )

    static let copyResponse = """
    <CopyDBClusterSnapshotResponse xmlns="http://rds.amazonaws.com/doc/2014-10-31/"><CopyDBClusterSnapshotResult><DBClusterSnapshot><DBClusterSnapshotIdentifier>dst-copy</DBClusterSnapshotIdentifier></DBClusterSnapshot></CopyDBClusterSnapshotResult></CopyDBClusterSnapshotResponse>
    """

    static var sessionCredentials: Credentials {
        var credentials = suiteCredentials
        credentials.sessionToken = "session/token+="
        return credentials
    }

    @Test("DescribeDBClusterSnapshots: body, content type and Authorization")
    func describeRequest() async throws {
        let harness = ClientHarness([xmlResponse(XMLFixtures.describeEmpty)])
        _ = try await harness.client.describeDBClusterSnapshots(.init(snapshotIdentifier: "my-snap", snapshotType: "manual", includeShared: true))
        let request = try #require(await harness.transport.requests.first)
        #expect(request.method == "POST")
        #expect(request.url.absoluteString == "https://rds.us-east-1.amazonaws.com/")
        #expect(String(decoding: request.body, as: UTF8.self) == BotocoreVectors.describeBody)
        #expect(request.header("content-type") == BotocoreVectors.contentType)
        #expect(request.header("authorization") == BotocoreVectors.describeAuthorization)
        #expect(request.header("x-amz-date") == "20240501T123456Z")
        #expect(request.header("user-agent") == "snapcopy/\(NeptuneAPI.version)")
    }

    @Test("Cross-region CopyDBClusterSnapshot: pre-signed URL, body and Authorization")
    func copyRequest() async throws {
        let harness = ClientHarness([xmlResponse(Self.copyResponse)], region: "us-west-2", credentials: Self.sessionCredentials)
        let copy = try await harness.client.copyDBClusterSnapshot(Self.copyRequest)
        #expect(copy.identifier == "dst-copy")
        let request = try #require(await harness.transport.requests.first)
        #expect(String(decoding: request.body, as: UTF8.self) == BotocoreVectors.copyBody)
        #expect(request.header("authorization") == BotocoreVectors.copyAuthorization)
        #expect(request.header("x-amz-security-token") == "session/token+=")
    }

    @Test("The pre-signed URL alone")
    func presignedURL() {
        let client = ClientHarness(region: "us-west-2").client
        let url = client.makePresignedCopyURL(for: Self.copyRequest, sourceRegion: "us-east-1", credentials: Self.sessionCredentials, at: vectorDate)
        #expect(url.unredactedValue == BotocoreVectors.copyPresignedURL)
    }

    @Test("No pre-signed URL for a same-region copy, and a given one is passed through")
    func noPresignSameRegion() async throws {
        let harness = ClientHarness([xmlResponse(Self.copyResponse), xmlResponse(Self.copyResponse)], region: "us-east-1")
        var request = Self.copyRequest
        _ = try await harness.client.copyDBClusterSnapshot(request)
        request.sourceRegion = "eu-west-1"
        request.preSignedURL = PresignedURL(unredacted: "https://example/?X-Amz-Signature=given")
        _ = try await harness.client.copyDBClusterSnapshot(request)
        let sent = await harness.sentParameters()
        #expect(sent[0]["PreSignedUrl"] == nil)
        #expect(sent[0]["SourceRegion"] == nil)
        #expect(sent[1]["PreSignedUrl"] == "https://example/?X-Amz-Signature=given")
    }
}
