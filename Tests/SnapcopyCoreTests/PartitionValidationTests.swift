import Testing
@testable import SnapcopyCore

/// `validate` rejects source, KMS key and role ARNs of another partition than the destination's.
@Suite struct PartitionValidationTests {
    struct Row: Sendable, CustomTestStringConvertible {
        var name: String
        var region: String
        var copy: String
        /// The field reported, `nil` when the entry is valid.
        var field: String?
        var testDescription: String { name }
    }

    static let rows: [Row] = [
        Row(name: "aws-cn source to us-east-1", region: "us-east-1",
            copy: entry(source: "arn:aws-cn:rds:cn-north-1:123456789012:cluster-snapshot:s"), field: "source"),
        Row(name: "aws source to cn-north-1", region: "cn-north-1",
            copy: entry(source: "arn:aws:rds:us-east-1:123456789012:cluster-snapshot:s"), field: "source"),
        Row(name: "aws-us-gov role for us-east-1", region: "us-east-1",
            copy: entry(extra: "\"roleArn\": \"arn:aws-us-gov:iam::123456789012:role/r\""), field: "roleArn"),
        Row(name: "aws-cn key ARN for cn-north-1 from an aws source", region: "cn-north-1",
            copy: entry(source: "arn:aws-cn:rds:cn-north-1:123456789012:cluster-snapshot:s",
                        extra: "\"kmsKeyId\": \"arn:aws:kms:cn-north-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab\""), field: "kmsKeyId"),
        Row(name: "aws-cn source, role and key for cn-northwest-1", region: "cn-northwest-1",
            copy: entry(source: "arn:aws-cn:rds:cn-north-1:123456789012:cluster-snapshot:s",
                        extra: "\"roleArn\": \"arn:aws-cn:iam::123456789012:role/r\", \"kmsKeyId\": \"arn:aws-cn:kms:cn-northwest-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab\""), field: nil),
        Row(name: "aws-us-gov source to us-gov-east-1", region: "us-gov-east-1",
            copy: entry(source: "arn:aws-us-gov:rds:us-gov-west-1:123456789012:cluster-snapshot:s"), field: nil),
        Row(name: "aws source to us-west-2", region: "us-west-2", copy: entry(), field: nil),
    ]

    @Test(arguments: rows)
    func partitionsMustMatch(_ row: Row) throws {
        let text = manifest(row.copy, defaults: "{\"region\": \"\(row.region)\"}")
        let set = ManifestLoader().load([ManifestSource(path: "m.json", text: text)])
        let partitionProblems = set.diagnostics.filter { $0.rule == "arn-partition" }
        guard let field = row.field else {
            #expect(set.diagnostics.isEmpty, "\(set.diagnostics)")
            return
        }
        let diagnostic = try #require(partitionProblems.first, "\(set.diagnostics)")
        #expect(partitionProblems.count == 1)
        #expect(diagnostic.location.path == "copies[0].\(field)")
        #expect(diagnostic.message.contains("the destination \(row.region) is in \(ManifestReader.partition(ofRegion: row.region))"))
    }

    @Test func regionsMapToTheirPartitions() {
        let table = ["us-east-1": "aws", "eu-west-2": "aws", "cn-north-1": "aws-cn", "us-gov-west-1": "aws-us-gov",
                     "us-iso-east-1": "aws-iso", "us-isob-east-1": "aws-iso-b", "eu-isoe-west-1": "aws-iso-e", "eusc-de-east-1": "aws-eusc"]
        for (region, partition) in table {
            #expect(ManifestReader.partition(ofRegion: region) == partition, "\(region)")
        }
    }
}
