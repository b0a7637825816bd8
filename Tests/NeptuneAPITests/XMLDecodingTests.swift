import Foundation
import Testing
@testable import NeptuneAPI

@Suite("XML decoding of every operation's response")
struct XMLDecodingTests {
    @Test("DescribeDBClusterSnapshots from moto: both snapshots, empty and filled TagList")
    func motoDescribe() async throws {
        let harness = ClientHarness([xmlResponse(XMLFixtures.motoDescribe)])
        let snapshots = try await harness.client.describeDBClusterSnapshots()
        #expect(snapshots.count == 2)
        let automated = snapshots[0]
        #expect(automated.identifier == "rds:c1-2026-11-24-22-23")
        #expect(automated.snapshotType == "automated")
        #expect(automated.tags == [])
        #expect(automated.storageEncrypted == true)
        #expect(automated.kmsKeyID == "default_kms_key_id")
        #expect(automated.snapshotCreateTime == AWSTimestamp.parse("2026-11-24T22:23:03.958677Z"))
        let manual = snapshots[1]
        #expect(manual.identifier == "s1")
        #expect(manual.arn == "arn:aws:rds:us-east-1:123456789012:cluster-snapshot:s1")
        #expect(manual.tags == [Tag(key: "team", value: "graph")])
        #expect(manual.port == 8182)
        #expect(manual.percentProgress == 100)
        #expect(manual.availabilityZones == [])
        #expect(manual.vpcID == nil)
    }

    @Test("DescribeDBClusterSnapshots in the real format: every member, two pages")
    func awsDescribePages() async throws {
        let harness = ClientHarness([xmlResponse(XMLFixtures.awsDescribePage1), xmlResponse(XMLFixtures.awsDescribePage2)])
        let snapshots = try await harness.client.describeDBClusterSnapshots(.init(maxRecords: 20))
        #expect(snapshots.count == 2)
        let first = snapshots[0]
        #expect(first == DBClusterSnapshot(
            identifier: "nightly-copy-2024-05-01",
            arn: "arn:aws:rds:us-east-1:123456789012:cluster-snapshot:nightly-copy-2024-05-01",
            clusterIdentifier: "graph-prod",
            status: "copying",
            percentProgress: 42,
            engine: "neptune",
            engineVersion: "1.2.1.0",
            storageEncrypted: true,
            kmsKeyID: "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            snapshotType: "manual",
            snapshotCreateTime: AWSTimestamp.parse("2024-05-01T03:10:11.123Z"),
            clusterCreateTime: Date(timeIntervalSince1970: 1_673_769_600),
            sourceDBClusterSnapshotARN: "arn:aws:rds:eu-west-1:123456789012:cluster-snapshot:rds:graph-prod-2024-05-01-03-00",
            allocatedStorage: 1,
            port: 8182,
            vpcID: "vpc-0abc1234",
            masterUsername: "admin",
            licenseModel: "amazon-license",
            iamDatabaseAuthenticationEnabled: false,
            availabilityZones: ["us-east-1a", "us-east-1b", "us-east-1c"],
            storageType: "aurora",
            tags: nil
        ))
        #expect(first.snapshotCreateTime.map { abs($0.timeIntervalSince1970 - 1_714_533_011.123) < 1e-6 } == true)
        let second = snapshots[1]
        #expect(second.availabilityZones == [])
        #expect(second.iamDatabaseAuthenticationEnabled == true)
        #expect(second.snapshotCreateTime.map { abs($0.timeIntervalSince1970 - 1_714_532_400.123456789) < 1e-5 } == true)
        #expect(second.tags == nil)

        let pages = await harness.sentParameters()
        #expect(pages.count == 2)
        #expect(pages[0]["MaxRecords"] == "20")
        #expect(pages[0]["Marker"] == nil)
        #expect(pages[1]["Marker"] == "page-2-token==")
    }

    @Test("Describe request parameters: clamped MaxRecords, flags only when set")
    func describeParameters() {
        let all = DescribeDBClusterSnapshotsRequest(clusterIdentifier: "c", snapshotType: "shared", includeShared: true, includePublic: true, maxRecords: 500)
        let names = all.queryParameters(marker: "m").map(\.0)
        #expect(names == ["DBClusterIdentifier", "SnapshotType", "MaxRecords", "Marker", "IncludeShared", "IncludePublic"])
        #expect(all.queryParameters(marker: nil).first { $0.0 == "MaxRecords" }?.1 == "100")
        #expect(DescribeDBClusterSnapshotsRequest(maxRecords: 1).queryParameters(marker: nil).map(\.1) == ["20"])
    }

    @Test("A repeated pagination marker stops with an error instead of looping")
    func repeatedMarker() async throws {
        let page = XMLFixtures.awsDescribePage1
        let harness = ClientHarness([xmlResponse(page), xmlResponse(page)])
        await #expect(throws: NeptuneAPIError.self) { try await harness.client.describeDBClusterSnapshots() }
    }

    @Test("ListTagsForResource: moto, escaped and padded values, empty TagList")
    func listTags() async throws {
        let harness = ClientHarness([xmlResponse(XMLFixtures.motoListTags), xmlResponse(XMLFixtures.awsListTags), xmlResponse(XMLFixtures.listTagsEmpty)])
        #expect(try await harness.client.listTagsForResource(arn: "arn:a") == [Tag(key: "k", value: "v")])
        #expect(try await harness.client.listTagsForResource(arn: "arn:b") == [
            Tag(key: "owner", value: "graph & search <team>"),
            Tag(key: "note", value: "  padded value  "),
            Tag(key: "empty", value: ""),
            Tag(key: "absent", value: ""),
            Tag(key: "unicode", value: "caf\u{e9} \u{65e5}\u{672c}"),
        ])
        #expect(try await harness.client.listTagsForResource(arn: "arn:c") == [])
        #expect(await harness.sentParameters()[0]["ResourceName"] == "arn:a")
    }

    @Test("AddTagsToResource and RemoveTagsFromResource: request names from the model")
    func tagging() async throws {
        let harness = ClientHarness([xmlResponse(XMLFixtures.motoAddTags), xmlResponse(XMLFixtures.motoRemoveTags)])
        try await harness.client.addTagsToResource(arn: "arn:x", tags: [Tag(key: "a", value: "1"), Tag(key: "b c", value: "")])
        try await harness.client.removeTagsFromResource(arn: "arn:x", tagKeys: ["a", "b c"])
        try await harness.client.addTagsToResource(arn: "arn:x", tags: [])
        try await harness.client.removeTagsFromResource(arn: "arn:x", tagKeys: [])
        let sent = await harness.sentParameters()
        #expect(sent.count == 2)
        #expect(sent[0] == ["Action": "AddTagsToResource", "Version": "2014-10-31", "ResourceName": "arn:x", "Tags.Tag.1.Key": "a", "Tags.Tag.1.Value": "1", "Tags.Tag.2.Key": "b c", "Tags.Tag.2.Value": ""])
        #expect(sent[1] == ["Action": "RemoveTagsFromResource", "Version": "2014-10-31", "ResourceName": "arn:x", "TagKeys.member.1": "a", "TagKeys.member.2": "b c"])
    }

    @Test("CopyDBClusterSnapshot and DeleteDBClusterSnapshot return the snapshot")
    func copyAndDelete() async throws {
        let harness = ClientHarness([xmlResponse(XMLFixtures.motoCopy), xmlResponse(XMLFixtures.motoDelete)])
        let copy = try await harness.client.copyDBClusterSnapshot(.init(sourceIdentifier: "s1", targetIdentifier: "s2", copyTags: false))
        #expect(copy.identifier == "s2")
        #expect(copy.tags == [Tag(key: "k", value: "v")])
        let deleted = try await harness.client.deleteDBClusterSnapshot(identifier: "s2")
        #expect(deleted.arn == "arn:aws:rds:us-east-1:123456789012:cluster-snapshot:s2")
        let sent = await harness.sentParameters()
        #expect(sent[0] == ["Action": "CopyDBClusterSnapshot", "Version": "2014-10-31", "SourceDBClusterSnapshotIdentifier": "s1", "TargetDBClusterSnapshotIdentifier": "s2", "CopyTags": "false"])
        #expect(sent[1] == ["Action": "DeleteDBClusterSnapshot", "Version": "2014-10-31", "DBClusterSnapshotIdentifier": "s2"])
    }

    @Test("AssumeRole and AssumeRoleWithWebIdentity (unsigned)")
    func sts() async throws {
        let transport = ScriptedTransport([xmlResponse(XMLFixtures.motoAssumeRole), xmlResponse(XMLFixtures.motoAssumeRoleWithWebIdentity)])
        let configuration = ClientConfiguration(transport: transport, sleeper: RecordingSleeper(), now: { vectorDate })
        let sts = STSClient(region: "eu-west-1", credentials: StaticCredentialProvider(suiteCredentials), configuration: configuration)
        let role = try await sts.assumeRole(roleARN: "arn:aws:iam::222222222222:role/copier", sessionName: "snapcopy", externalID: "ext-1", durationSeconds: 900)
        #expect(role.credentials.accessKeyID == "ASIATHPL2AOHBKGXZZZ2")
        #expect(role.credentials.secretAccessKey == "ey/CSQLC+ptIACbzN544G2LxVBFBEDUecIiiPzBj")
        #expect(role.credentials.sessionToken?.hasPrefix("FQoGZXIvYXdzEBYaDaPQ+YZ") == true)
        #expect(role.credentials.expiration == AWSTimestamp.parse("2026-11-24T23:23:16.748232Z"))
        #expect(role.assumedRoleARN == "arn:aws:sts::222222222222:assumed-role/copier/snapcopy")
        let web = try await sts.assumeRoleWithWebIdentity(roleARN: "arn:aws:iam::222222222222:role/web", sessionName: "s", webIdentityToken: "jwt.token.value")
        #expect(web.credentials.accessKeyID == "ASIATHPL2AOHAYKV2TXP")

        let requests = await transport.requests
        #expect(requests[0].url.absoluteString == "https://sts.eu-west-1.amazonaws.com/")
        #expect(requests[0].header("authorization")?.contains("/eu-west-1/sts/aws4_request") == true)
        #expect(formParameters(requests[0].body) == ["Action": "AssumeRole", "Version": "2011-06-15", "RoleArn": "arn:aws:iam::222222222222:role/copier", "RoleSessionName": "snapcopy", "DurationSeconds": "900", "ExternalId": "ext-1"])
        #expect(requests[1].header("authorization") == nil)
        #expect(formParameters(requests[1].body)["WebIdentityToken"] == "jwt.token.value")
    }

    @Test("Documents are accepted without prolog, with prefixes, CDATA and UTF-8 without a charset")
    func parserVariants() throws {
        let prefixed = try XMLTreeParser.parse(Data("<a:Root xmlns:a=\"urn:x\"><a:Child><![CDATA[x < y]]></a:Child></a:Root>".utf8))
        #expect(prefixed.name == "Root")
        #expect(prefixed.string("Child") == "x < y")
        let utf8 = try XMLTreeParser.parse(Data("<R><V>caf\u{e9}</V></R>".utf8))
        #expect(utf8.string("V") == "caf\u{e9}")
    }

    /// `<\u{FF}0p>` made FoundationXML trap (Illegal instruction) inside its start-element
    /// callback: found by the XMLResponse fuzz target (Tests/Fuzz/Regressions/XMLResponse).
    @Test("A body that is not UTF-8 is refused before the XML parser sees it", arguments: [
        [0x3C, 0xFF, 0x30, 0x70, 0x3E],
        Array("<R><V>".utf8) + [0xC3] + Array("</V></R>".utf8),
        [0xFF, 0xFE, 0x3C, 0x00, 0x61, 0x00, 0x2F, 0x00, 0x3E, 0x00],
    ] as [[UInt8]])
    func refusesBodiesThatAreNotUTF8(_ body: [UInt8]) async throws {
        #expect(throws: XMLTreeParser.Failure.malformed("the body is not UTF-8")) { try XMLTreeParser.parse(Data(body)) }
        let harness = ClientHarness([.response(HTTPResponse(status: 200, body: Data(body)))], retryPolicy: .none)
        await #expect(throws: NeptuneAPIError.self) { _ = try await harness.client.listTagsForResource(arn: "arn:aws:rds:us-east-1:123456789012:cluster-snapshot:s1") }
    }

    struct BadXML: Sendable, CustomTestStringConvertible {
        let name: String
        let body: String
        var testDescription: String { name }
    }

    @Test("Truncated, trailing junk, empty, HTML and wrong-root bodies are rejected", arguments: [
        BadXML(name: "truncated", body: "<DescribeDBClusterSnapshotsResponse><DescribeDBClusterSnapshotsResult><DBClusterSnapshots>"),
        BadXML(name: "trailing element", body: XMLFixtures.describeEmpty + "<extra/>"),
        BadXML(name: "trailing text", body: XMLFixtures.describeEmpty + "garbage"),
        BadXML(name: "empty", body: ""),
        BadXML(name: "whitespace", body: "  \n "),
        BadXML(name: "html", body: XMLFixtures.motoHTML500),
        BadXML(name: "wrong root", body: XMLFixtures.motoListTags),
        BadXML(name: "json", body: "{\"json\": true}"),
    ])
    func rejectsBadBodies(_ bad: BadXML) async throws {
        let name = bad.name
        let harness = ClientHarness([xmlResponse(bad.body)], retryPolicy: .none)
        do {
            _ = try await harness.client.describeDBClusterSnapshots()
            Issue.record("\(name) was accepted")
        } catch let error as NeptuneAPIError {
            #expect(error.code == .unparseableResponse, "\(name)")
            #expect(error.httpStatus == 200)
            #expect(error.description.contains("DescribeDBClusterSnapshots in us-east-1"))
        }
    }
}
