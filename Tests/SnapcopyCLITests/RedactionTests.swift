import NeptuneAPI
import SnapcopyCore
import Testing
@testable import SnapcopyCLI

/// The last line of defence: whatever the API echoes back, no secret reaches the terminal.
@Suite struct RedactionTests {
    let redactor = SecretRedactor(secrets: ["wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "FwoGZXIvYXdzEXAMPLESESSIONTOKEN"])

    @Test(arguments: [
        "The request signature we calculated does not match. The Canonical String for this request should have been 'POST\n/\n\nhost:rds\nx-amz-security-token:FwoGZXIvYXdzEXAMPLESESSIONTOKEN'",
        "bad PreSignedUrl https://rds.us-east-1.amazonaws.com/?Action=CopyDBClusterSnapshot&X-Amz-Signature=abcdef0123&X-Amz-Credential=AKID/20261124",
        "query X-Amz-Security-Token=FwoGZXIvYXdzEXAMPLESESSIONTOKEN&X-Amz-Signature=deadbeef",
        "<Credentials><SecretAccessKey>wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY</SecretAccessKey><SessionToken>FwoGZXIvYXdzEXAMPLESESSIONTOKEN</SessionToken></Credentials>",
        "the key wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY leaked into a message",
    ])
    func removesEverySecret(text: String) {
        let redacted = redactor.redact(text)
        for secret in ["wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "FwoGZXIvYXdzEXAMPLESESSIONTOKEN", "abcdef0123", "deadbeef"] {
            #expect(!redacted.contains(secret), "\(secret) survived in: \(redacted)")
        }
        #expect(redacted.contains(SecretRedactor.placeholder) || redacted.contains("not shown"))
    }

    @Test func leavesOrdinaryTextAlone() {
        let text = "DBClusterSnapshotNotFoundFault: prod-dr not found in us-west-2 (request 1234)"
        #expect(redactor.redact(text) == text)
    }

    @Test func mapsAPIErrorsToServiceErrorKindsWithoutSecrets() throws {
        let cases: [(NeptuneAPIError.Code, SnapshotServiceError.Kind)] = [
            (.dbClusterSnapshotNotFound, .notFound), (.dbClusterSnapshotAlreadyExists, .alreadyExists),
            (.snapshotQuotaExceeded, .quotaExceeded), (.invalidDBClusterSnapshotState, .invalidState),
            (.kmsKeyNotAccessible, .kmsKeyNotAccessible), (.signatureDoesNotMatch, .accessDenied),
            (.expiredToken, .accessDenied), (.throttling, .throttled), (.internalFailure, .other),
        ]
        for (code, kind) in cases {
            let error = NeptuneAPIError(code: code, message: "failed with X-Amz-Signature=cafebabe1234", requestID: "r-1",
                                        httpStatus: 400, action: "CopyDBClusterSnapshot", region: "us-west-2")
            let mapped = try #require(NeptuneSnapshotService.serviceError(for: error, redactor: redactor) as? SnapshotServiceError)
            #expect(mapped.kind == kind, "\(code)")
            #expect(!mapped.message.contains("cafebabe1234"))
        }
        #expect(NeptuneSnapshotService.serviceError(for: CancellationError()) is CancellationError)
    }
}
