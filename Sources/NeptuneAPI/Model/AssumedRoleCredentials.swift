import Foundation

/// The result of STS `AssumeRole` / `AssumeRoleWithWebIdentity`: temporary credentials and
/// the assumed role user. Prints without secrets.
public struct AssumedRoleCredentials: Sendable, Equatable {
    /// The temporary credentials (their description is redacted).
    public var credentials: Credentials
    /// The ARN of the assumed role session, e.g. `arn:aws:sts::1111:assumed-role/r/s`.
    public var assumedRoleARN: String?
    /// The assumed role ID, e.g. `AROA...:session`.
    public var assumedRoleID: String?

    /// Creates a value.
    public init(credentials: Credentials, assumedRoleARN: String? = nil, assumedRoleID: String? = nil) {
        self.credentials = credentials
        self.assumedRoleARN = assumedRoleARN
        self.assumedRoleID = assumedRoleID
    }
}

extension AssumedRoleCredentials: CustomStringConvertible {
    /// The role session ARN and the redacted credentials.
    public var description: String {
        "AssumedRoleCredentials(role: \(assumedRoleARN ?? "unknown"), \(credentials))"
    }
}

extension AssumedRoleCredentials {
    /// Decodes an `<AssumeRole...Result>` element; `nil` when credentials are missing.
    init?(xml result: XMLNode, source: String) {
        guard let creds = result.child("Credentials"),
              let accessKeyID = creds.trimmed("AccessKeyId"),
              let secret = creds.trimmed("SecretAccessKey")
        else { return nil }
        self.init(
            credentials: Credentials(
                accessKeyID: accessKeyID,
                secretAccessKey: secret,
                sessionToken: creds.trimmed("SessionToken"),
                expiration: creds.date("Expiration"),
                source: source
            ),
            assumedRoleARN: result.child("AssumedRoleUser")?.trimmed("Arn"),
            assumedRoleID: result.child("AssumedRoleUser")?.trimmed("AssumedRoleId")
        )
    }
}
