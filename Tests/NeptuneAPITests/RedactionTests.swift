import Foundation
import Testing
@testable import NeptuneAPI

@Suite("No description ever contains a secret")
struct RedactionTests {
    static let secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
    static let token = "FQoGZXIvYXdzSESSIONTOKEN"
    static let credentials = Credentials(accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: secret, sessionToken: token, expiration: vectorDate, source: "profile dev")

    /// Every way Swift can turn a value into text.
    static func renderings(_ value: Any) -> [String] {
        var dumped = ""
        dump(value, to: &dumped)
        return [String(describing: value), String(reflecting: value), "\(value)", dumped]
    }

    @Test("credentials show the source and a masked key ID only")
    func credentials() {
        #expect(Self.credentials.description == "Credentials(source: profile dev, accessKeyID: AKIA****MPLE, sessionToken: <redacted>, expiration: 2024-05-01T12:34:56Z)")
        #expect(suiteCredentials.maskedAccessKeyID == "AKID****MPLE")
        #expect(Credentials(accessKeyID: "SHORT", secretAccessKey: "x").maskedAccessKeyID == "****")
        let assumed = AssumedRoleCredentials(credentials: Self.credentials, assumedRoleARN: "arn:aws:sts::1:assumed-role/r/s")
        for value in [Self.credentials as Any, assumed, [Self.credentials], Optional(Self.credentials) as Any] {
            for text in Self.renderings(value) {
                #expect(!text.contains(Self.secret))
                #expect(!text.contains(Self.token))
                #expect(!text.contains("AKIAIOSFODNN7EXAMPLE"))
            }
        }
    }

    @Test("pre-signed URLs and the requests holding them are redacted")
    func presignedURL() {
        let signer = SigV4(credentials: Self.credentials, region: "us-east-1", service: "rds")
        let url = signer.presign(endpoint: AWSEndpoint.neptune(region: "us-east-1"), parameters: [("Action", "CopyDBClusterSnapshot")], at: vectorDate)
        #expect(url.unredactedValue.contains("X-Amz-Signature="))
        #expect(url.description == "<redacted>")
        let request = CopyDBClusterSnapshotRequest(sourceIdentifier: "a", targetIdentifier: "b", sourceRegion: "us-east-1", preSignedURL: url)
        for value in [url as Any, request] {
            for text in Self.renderings(value) {
                #expect(!text.contains("X-Amz-Signature"))
                #expect(!text.contains("Security-Token"))
                #expect(!text.contains("FQoGZ"))
            }
        }
    }

    @Test("signed HTTP requests describe themselves without headers, query or body")
    func requests() throws {
        let url = try #require(URL(string: "https://rds.us-east-1.amazonaws.com/?X-Amz-Signature=abc"))
        let signed = SigV4(credentials: Self.credentials, region: "us-east-1", service: "rds").sign(HTTPRequest(method: "POST", url: url, body: Data("Secret=1".utf8)), at: vectorDate)
        for text in Self.renderings(signed) {
            #expect(!text.contains("Signature"))
            #expect(!text.contains(Self.token))
            #expect(!text.contains("Secret=1"))
        }
        #expect(signed.description == "POST rds.us-east-1.amazonaws.com/")
    }

    @Test("providers describe themselves by kind")
    func providers() async throws {
        let provider = StaticCredentialProvider(Self.credentials)
        let chain = CredentialProviderChain([provider, EnvironmentCredentialProvider(environment: AWSEnvironment(variables: ["AWS_SECRET_ACCESS_KEY": Self.secret]))])
        #expect(chain.name == "chain(static, environment)")
        for text in Self.renderings(chain) + Self.renderings(CachingCredentialProvider(provider)) {
            #expect(!text.contains(Self.secret))
            #expect(!text.contains(Self.token))
        }
        do {
            _ = try await chain.providers[1].credentials()
        } catch {
            #expect(!"\(error)".contains(Self.secret))
        }
    }
}
