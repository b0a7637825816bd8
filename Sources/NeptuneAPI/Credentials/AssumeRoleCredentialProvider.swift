import Foundation

/// Credentials of an assumed role, obtained with STS `AssumeRole`.
///
/// Wrap it in a ``CachingCredentialProvider`` to assume the role once per session rather
/// than once per call.
public struct AssumeRoleCredentialProvider: CredentialProvider {
    /// The role to assume.
    public let roleARN: String
    /// The role session name.
    public let sessionName: String
    /// The external ID, if the role's trust policy needs one.
    public let externalID: String?
    /// The session length in seconds; `nil` for the role's default.
    public let durationSeconds: Int?
    private let sts: STSClient

    /// Creates a provider calling `sts`, whose own credentials are the source identity.
    public init(roleARN: String, sessionName: String, externalID: String? = nil, durationSeconds: Int? = nil, sts: STSClient) {
        self.roleARN = roleARN
        self.sessionName = sessionName
        self.externalID = externalID
        self.durationSeconds = durationSeconds
        self.sts = sts
    }

    /// `assume-role ARN`.
    public var name: String { "assume-role \(roleARN)" }

    /// Assumes the role.
    public func credentials() async throws -> Credentials {
        try await sts.assumeRole(roleARN: roleARN, sessionName: sessionName, externalID: externalID, durationSeconds: durationSeconds).credentials
    }

    /// A default role session name: `snapcopy-<unix seconds>`.
    public static func defaultSessionName(at date: Date) -> String {
        "snapcopy-\(Int(date.timeIntervalSince1970))"
    }
}

/// Credentials from STS `AssumeRoleWithWebIdentity` with a token read from a file
/// (the file is read on every refresh, as Kubernetes rotates it).
public struct WebIdentityCredentialProvider: CredentialProvider {
    /// The role to assume.
    public let roleARN: String
    /// The file holding the OIDC token.
    public let tokenFile: String
    /// The role session name.
    public let sessionName: String
    private let sts: STSClient

    /// Creates a provider; `sts` needs no credentials (the call is unsigned).
    public init(roleARN: String, tokenFile: String, sessionName: String, sts: STSClient) {
        self.roleARN = roleARN
        self.tokenFile = tokenFile
        self.sessionName = sessionName
        self.sts = sts
    }

    /// `web-identity ARN`.
    public var name: String { "web-identity \(roleARN)" }

    /// Reads the token and exchanges it for role credentials.
    public func credentials() async throws -> Credentials {
        guard let data = FileManager.default.contents(atPath: tokenFile) else {
            throw CredentialsError(kind: .unreadableFile, message: "Cannot read the web identity token file \(tokenFile) (from AWS_WEB_IDENTITY_TOKEN_FILE or web_identity_token_file): check that it exists and is readable.")
        }
        let token = String(decoding: data, as: UTF8.self).trimmingXMLWhitespace()
        guard !token.isEmpty else {
            throw CredentialsError(kind: .invalidConfiguration, message: "The web identity token file \(tokenFile) is empty.")
        }
        return try await sts.assumeRoleWithWebIdentity(roleARN: roleARN, sessionName: sessionName, webIdentityToken: token).credentials
    }
}
