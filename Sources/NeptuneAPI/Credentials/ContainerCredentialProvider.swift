import Foundation

/// Credentials from the container credentials endpoint (ECS tasks, EKS Pod Identity).
///
/// `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` is a path on `http://169.254.170.2`;
/// `AWS_CONTAINER_CREDENTIALS_FULL_URI` a full URL, which must be `https`, or `http` to a
/// loopback address or one of the hosts the AWS SDKs allow (`169.254.170.2`,
/// `169.254.170.23`, `fd00:ec2::23`, `localhost`). The `Authorization` header is read from
/// `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE` (re-read on every refresh, as EKS rotates it) or
/// `AWS_CONTAINER_AUTHORIZATION_TOKEN`. Requests never go through a proxy; 2 s timeout, 3 attempts.
public struct ContainerCredentialProvider: CredentialProvider {
    /// The address behind `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`.
    public static let relativeURIHost = "169.254.170.2"
    /// Hosts allowed over plain HTTP besides loopback addresses.
    public static let allowedHTTPHosts: Set<String> = ["169.254.170.2", "169.254.170.23", "fd00:ec2::23", "localhost"]

    private let environment: AWSEnvironment
    private let transport: any HTTPTransport
    private let timeout: Duration
    private let attempts: Int
    private let sleeper: any Sleeper

    /// Creates a provider; give it a transport that does not use proxies.
    public init(environment: AWSEnvironment, transport: any HTTPTransport, timeout: Duration = .seconds(2), attempts: Int = 3, sleeper: any Sleeper = ClockSleeper()) {
        self.environment = environment
        self.transport = transport
        self.timeout = timeout
        self.attempts = max(1, attempts)
        self.sleeper = sleeper
    }

    /// `container credentials`.
    public var name: String { "container credentials" }

    /// The place this provider looks, for the "no credentials" list.
    static let place = "container credentials AWS_CONTAINER_CREDENTIALS_RELATIVE_URI / AWS_CONTAINER_CREDENTIALS_FULL_URI (not set)"

    /// Fetches the credentials.
    public func credentials() async throws -> Credentials {
        let (url, variable) = try endpoint()
        var request = HTTPRequest(method: "GET", url: url, headers: ["accept": "application/json"], timeout: timeout)
        if let token = try authorizationToken() { request.setHeader("authorization", token) }
        let origin = "The container credentials endpoint \(hostAndPort(url)) (from \(variable))"
        var lastError = CredentialsError(kind: .invalidConfiguration, message: "\(origin) did not answer.")
        for attempt in 1...attempts {
            if attempt > 1 { try await sleeper.sleep(for: .seconds(1)) }
            let response: HTTPResponse
            do {
                response = try await transport.send(request)
            } catch let error as TransportError {
                lastError = CredentialsError(kind: .invalidConfiguration, message: "\(origin) could not be reached: the request \(error.kind.phrase) (\(error.detail)).")
                continue
            }
            if response.status == 200 {
                return try MetadataCredentials.decode(response.body, origin: origin, source: "container credentials (\(variable))")
            }
            let hint = response.status == 401 || response.status == 403
                ? " Check AWS_CONTAINER_AUTHORIZATION_TOKEN or AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE (the token is not shown)."
                : ""
            lastError = CredentialsError(kind: .invalidConfiguration, message: "\(origin) answered HTTP \(response.status).\(hint)")
            if (400..<500).contains(response.status) { throw lastError }
        }
        throw lastError
    }

    /// The endpoint and the variable that named it.
    func endpoint() throws -> (URL, String) {
        if let relative = environment["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"] {
            let path = relative.hasPrefix("/") ? relative : "/\(relative)"
            guard let url = URL(string: "http://\(Self.relativeURIHost)\(path)") else {
                throw CredentialsError(kind: .invalidConfiguration, message: "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI is not a URL path: set it to a path such as /v2/credentials/ID.")
            }
            return (url, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")
        }
        guard let full = environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"] else {
            throw CredentialsError.notFound(Self.place)
        }
        guard let url = URL(string: full), let scheme = url.scheme?.lowercased(), let host = url.host, !host.isEmpty else {
            throw CredentialsError(kind: .invalidConfiguration, message: "AWS_CONTAINER_CREDENTIALS_FULL_URI is not a URL such as http://169.254.170.23/v1/credentials.")
        }
        let bareHost = host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host
        switch scheme {
        case "https":
            break
        case "http":
            guard Self.isLoopback(bareHost) || Self.allowedHTTPHosts.contains(bareHost.lowercased()) else {
                throw CredentialsError(kind: .invalidConfiguration, message: "AWS_CONTAINER_CREDENTIALS_FULL_URI names the host \(bareHost), which is not allowed over http: use https, a loopback address, or one of \(Self.allowedHTTPHosts.sorted().joined(separator: ", ")) (as the AWS SDKs require).")
            }
        default:
            throw CredentialsError(kind: .invalidConfiguration, message: "AWS_CONTAINER_CREDENTIALS_FULL_URI must be an http or https URL.")
        }
        return (url, "AWS_CONTAINER_CREDENTIALS_FULL_URI")
    }

    /// The `Authorization` header value, from the token file (preferred) or the variable.
    func authorizationToken() throws -> String? {
        var token: String?
        var source = "AWS_CONTAINER_AUTHORIZATION_TOKEN"
        if let path = environment["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"] {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw CredentialsError(kind: .unreadableFile, message: "Cannot read the container authorization token file \(path) (from AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE): check that it exists and is readable.")
            }
            token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            source = "the file \(path) (AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE)"
        } else {
            token = environment["AWS_CONTAINER_AUTHORIZATION_TOKEN"]
        }
        guard let token else { return nil }
        guard !token.isEmpty, !token.contains("\r"), !token.contains("\n") else {
            throw CredentialsError(kind: .invalidConfiguration, message: "The container authorization token in \(source) is empty or spans several lines; it must be one header value.")
        }
        return token
    }

    /// Whether `host` is a numeric loopback address (127.0.0.0/8 or ::1).
    static func isLoopback(_ host: String) -> Bool {
        guard let bytes = CIDRBlock.bytes(host) else { return false }
        if bytes.count == 4 { return bytes[0] == 127 }
        return bytes == Array(repeating: 0, count: 15) + [1]
    }
}
