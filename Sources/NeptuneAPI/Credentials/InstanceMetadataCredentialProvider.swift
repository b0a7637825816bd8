import Foundation

/// The role credentials of an EC2 instance profile, through IMDSv2 only.
///
/// A session token is `PUT` to `/latest/api/token` with a TTL header, then the role is read
/// from `/latest/meta-data/iam/security-credentials/` and its credentials from
/// `.../ROLE`. Settings, as in the AWS CLI: `AWS_EC2_METADATA_DISABLED=true` turns it off;
/// `AWS_EC2_METADATA_SERVICE_ENDPOINT` / `ec2_metadata_service_endpoint` replace
/// `http://169.254.169.254`; `AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE` /
/// `ec2_metadata_service_endpoint_mode = IPv6` use `http://[fd00:ec2::254]`;
/// `AWS_METADATA_SERVICE_TIMEOUT` (seconds, default 1) and `AWS_METADATA_SERVICE_NUM_ATTEMPTS`
/// (default 1), so a laptop without IMDS loses about a second at most.
public struct InstanceMetadataCredentialProvider: CredentialProvider {
    /// The IPv4 endpoint.
    public static let defaultEndpoint = "http://169.254.169.254"
    /// The IPv6 endpoint.
    public static let ipv6Endpoint = "http://[fd00:ec2::254]"
    /// The token lifetime asked for, in seconds (botocore's).
    public static let tokenTTLSeconds = 21_600

    private let environment: AWSEnvironment
    private let profile: String?
    private let transport: any HTTPTransport

    /// Creates a provider.
    /// - Parameter profile: The `--profile` value, for the profile's `ec2_metadata_*` settings.
    public init(environment: AWSEnvironment, profile: String? = nil, transport: any HTTPTransport) {
        self.environment = environment
        self.profile = profile
        self.transport = transport
    }

    /// `EC2 instance metadata`.
    public var name: String { "EC2 instance metadata" }

    /// Fetches the instance profile's credentials.
    public func credentials() async throws -> Credentials {
        if environment["AWS_EC2_METADATA_DISABLED"]?.lowercased() == "true" {
            throw CredentialsError.notFound("EC2 instance metadata (IMDSv2; off: AWS_EC2_METADATA_DISABLED=true)")
        }
        let settings = try self.settings()
        let base = settings.endpoint
        var lastError: CredentialsError?
        for _ in 0..<settings.attempts {
            do {
                return try await fetch(base: base, timeout: settings.timeout)
            } catch let error as CredentialsError where error.kind == .notFound {
                lastError = error
            }
        }
        throw lastError ?? CredentialsError.notFound("EC2 instance metadata at \(hostAndPort(base))")
    }

    private func fetch(base: URL, timeout: Duration) async throws -> Credentials {
        let place = "EC2 instance metadata (IMDSv2) at \(hostAndPort(base))"
        let tokenResponse = try await send("PUT", base, "latest/api/token", headers: ["x-aws-ec2-metadata-token-ttl-seconds": String(Self.tokenTTLSeconds)], timeout: timeout, place: place)
        guard tokenResponse.status == 200 else {
            throw CredentialsError.notFound("\(place) (the IMDSv2 token request answered HTTP \(tokenResponse.status))")
        }
        let token = String(decoding: tokenResponse.body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let tokenHeader = ["x-aws-ec2-metadata-token": token]
        let rolesResponse = try await send("GET", base, "latest/meta-data/iam/security-credentials/", headers: tokenHeader, timeout: timeout, place: place)
        guard rolesResponse.status == 200 else {
            throw CredentialsError.notFound("\(place) (no instance profile: HTTP \(rolesResponse.status))")
        }
        let role = String(decoding: rolesResponse.body, as: UTF8.self)
            .split(whereSeparator: \.isNewline).first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        guard !role.isEmpty, role.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "+=,.@_-".contains($0)) }) else {
            throw CredentialsError.notFound("\(place) (no instance profile role)")
        }
        let credentialsResponse = try await send("GET", base, "latest/meta-data/iam/security-credentials/\(role)", headers: tokenHeader, timeout: timeout, place: place)
        guard credentialsResponse.status == 200 else {
            throw CredentialsError(kind: .invalidConfiguration, message: "\(place) answered HTTP \(credentialsResponse.status) for the credentials of the role \(role).")
        }
        return try MetadataCredentials.decode(credentialsResponse.body, origin: "\(place) for the role \(role)", source: "EC2 instance metadata (role \(role))")
    }

    private func send(_ method: String, _ base: URL, _ path: String, headers: [String: String], timeout: Duration, place: String) async throws -> HTTPResponse {
        let url = base.appendingPathComponent(path)
        do {
            return try await transport.send(HTTPRequest(method: method, url: url, headers: headers, timeout: timeout))
        } catch let error as TransportError {
            throw CredentialsError.notFound("\(place) (no answer: the request \(error.kind.phrase))")
        }
    }

    /// Endpoint, timeout and attempts from the environment and the profile.
    func settings() throws -> (endpoint: URL, timeout: Duration, attempts: Int) {
        let shared = try environment.loadSharedConfiguration()
        let section = shared.configSection(environment.profileName(explicit: profile))
        let endpointText: String
        let source: String
        if let value = environment["AWS_EC2_METADATA_SERVICE_ENDPOINT"] {
            (endpointText, source) = (value, "AWS_EC2_METADATA_SERVICE_ENDPOINT")
        } else if let value = section?["ec2_metadata_service_endpoint"] {
            (endpointText, source) = (value, "ec2_metadata_service_endpoint")
        } else {
            let mode = environment["AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE"] ?? section?["ec2_metadata_service_endpoint_mode"] ?? "ipv4"
            switch mode.lowercased() {
            case "ipv4": (endpointText, source) = (Self.defaultEndpoint, "default")
            case "ipv6": (endpointText, source) = (Self.ipv6Endpoint, "default")
            default:
                throw CredentialsError(kind: .invalidConfiguration, message: "The EC2 metadata endpoint mode \"\(mode)\" (AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE or ec2_metadata_service_endpoint_mode) is not IPv4 or IPv6.")
            }
        }
        guard let url = URL(string: endpointText), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https", url.host != nil else {
            throw CredentialsError(kind: .invalidEndpoint, message: "The EC2 metadata endpoint \"\(endpointText)\" from \(source) is not a URL such as http://169.254.169.254.")
        }
        let timeoutText = environment["AWS_METADATA_SERVICE_TIMEOUT"] ?? section?["metadata_service_timeout"] ?? "1"
        let attemptsText = environment["AWS_METADATA_SERVICE_NUM_ATTEMPTS"] ?? section?["metadata_service_num_attempts"] ?? "1"
        guard let seconds = Double(timeoutText), seconds > 0, let attempts = Int(attemptsText), attempts >= 1 else {
            throw CredentialsError(kind: .invalidConfiguration, message: "AWS_METADATA_SERVICE_TIMEOUT (seconds) and AWS_METADATA_SERVICE_NUM_ATTEMPTS (a count) must be positive numbers.")
        }
        return (url, .milliseconds(Int(seconds * 1000)), attempts)
    }
}
