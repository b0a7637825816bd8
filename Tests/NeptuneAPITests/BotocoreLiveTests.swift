import Foundation
import Testing
@testable import NeptuneAPI

/// Re-derives the botocore vectors by running botocore itself, so a change in botocore or
/// in snapcopy is caught. Skipped (with a message) when python3 or botocore is missing; the
/// checked-in vectors in `BotocoreVectorTests` still run.
@Suite("Requests identical to botocore (live python3)")
struct BotocoreLiveTests {
    struct Captured: Decodable, Sendable {
        let url: String
        let body: String
        let authorization: String
        let contentType: String
    }

    struct Output: Decodable, Sendable {
        let botocore: String
        let formEncodedTricky: String
        let describe: Captured
        let copy: Captured
        let copyPresignedUrl: String
    }

    static let botocoreOutput: Output? = {
        guard let result = try? runPythonSynchronously(BotocoreVectors.script), result.status == 0 else { return nil }
        return try? JSONDecoder().decode(Output.self, from: Data(result.stdout.utf8))
    }()

    /// Under `scripts/test` (SNAPCOPY_REQUIRE_MOTO set) the comparison always runs, so a missing botocore fails loudly.
    static var isAvailable: Bool { ProcessInfo.processInfo.environment["SNAPCOPY_REQUIRE_MOTO"] != nil || botocoreOutput != nil }

    @Test("botocore's bytes equal the checked-in vectors and snapcopy's", .enabled(if: isAvailable, "python3 with botocore is not available: skipping the live botocore comparison"))
    func liveComparison() async throws {
        let output = try #require(Self.botocoreOutput)
        let describe = output.describe
        let copy = output.copy

        #expect(output.formEncodedTricky == BotocoreVectors.formEncodedTricky)
        #expect(QueryEncoding.encode([("Tags.Tag.1.Value", QueryEncodingTests.tricky)]) == output.formEncodedTricky)

        let client = ClientHarness(region: "us-west-2").client
        let url = client.makePresignedCopyURL(for: BotocoreVectorTests.copyRequest, sourceRegion: "us-east-1", credentials: BotocoreVectorTests.sessionCredentials, at: vectorDate)
        #expect(url.unredactedValue == output.copyPresignedUrl)

        let harness = ClientHarness([xmlResponse(BotocoreVectorTests.copyResponse)], region: "us-west-2", credentials: BotocoreVectorTests.sessionCredentials)
        _ = try await harness.client.copyDBClusterSnapshot(BotocoreVectorTests.copyRequest)
        let sent = try #require(await harness.transport.requests.first)
        #expect(String(decoding: sent.body, as: UTF8.self) == copy.body)
        #expect(sent.header("authorization") == copy.authorization)
        #expect(sent.header("content-type") == copy.contentType)

        let describeHarness = ClientHarness([xmlResponse(XMLFixtures.describeEmpty)])
        _ = try await describeHarness.client.describeDBClusterSnapshots(.init(snapshotIdentifier: "my-snap", snapshotType: "manual", includeShared: true))
        let describeSent = try #require(await describeHarness.transport.requests.first)
        #expect(String(decoding: describeSent.body, as: UTF8.self) == describe.body)
        #expect(describeSent.header("authorization") == describe.authorization)

        #expect(describe.body == BotocoreVectors.describeBody)
        #expect(describe.authorization == BotocoreVectors.describeAuthorization)
        #expect(copy.body == BotocoreVectors.copyBody)
        #expect(copy.authorization == BotocoreVectors.copyAuthorization)
    }
}

/// Runs `python3 -c script` with the test process's environment (read, never changed).
func runPythonSynchronously(_ script: String) throws -> (status: Int32, stdout: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", script]
    process.environment = ProcessInfo.processInfo.environment
    let stdout = Pipe()
    process.standardOutput = stdout
    process.standardError = FileHandle.nullDevice
    process.standardInput = FileHandle.nullDevice
    try process.run()
    let data = stdout.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}
