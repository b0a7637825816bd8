import Foundation
import Testing
import TestSupport

/// `snapcopy validate` (the built binary) refuses ARNs of another partition than the destination's.
@Suite("validate: partitions (built binary)")
struct PartitionValidateTests {
    @Test("an aws-cn source with a us-east-1 destination is invalid; with cn-north-1 it is valid")
    func partitions() async throws {
        try await withTemporaryDirectory(prefix: "snapcopy-partitions") { directory in
            let source = "arn:aws-cn:rds:cn-north-1:123456789012:cluster-snapshot:prod-1"
            let wrong = try directory.write("{\"version\": 1, \"copies\": [{\"source\": \"\(source)\", \"target\": \"prod-1-dr\", \"region\": \"us-east-1\"}]}\n", to: "wrong.json")
            let right = try directory.write("{\"version\": 1, \"copies\": [{\"source\": \"\(source)\", \"target\": \"prod-1-dr\", \"region\": \"cn-northwest-1\"}]}\n", to: "right.json")
            let invalid = try await CLI.run(["validate", wrong.path])
            #expect(invalid.exitCode == 1)
            #expect(invalid.stdout.contains("arn-partition"), "\(invalid.stdout)")
            #expect(invalid.stdout.contains("the source ARN is in the aws-cn partition, but the destination us-east-1 is in aws"), "\(invalid.stdout)")
            let valid = try await CLI.run(["validate", right.path])
            #expect(valid.exitCode == 0, "\(valid.stdout)")
        }
    }
}
