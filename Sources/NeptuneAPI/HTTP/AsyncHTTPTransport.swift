import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL

/// The real transport: AsyncHTTPClient over SwiftNIO, one connection pool per proxy route,
/// shared by every client of the process.
///
/// Create one per process (``withAsyncHTTPTransport(settings:_:)`` or
/// ``init(settings:)`` and ``shutdown()``), hand it to every client, and shut it down on
/// every exit path. Connections are kept alive and reused per host; connect, read and request
/// timeouts, TLS failures and oversized bodies become ``TransportError``s that name the host
/// and port. Cancelling the caller cancels the request (no shielding is needed).
public final class AsyncHTTPTransport: HTTPTransport, Sendable {
    /// The settings in force.
    public let settings: TransportSettings
    private let pool: ClientPool
    private let usesProxies: Bool

    /// Creates a transport; its HTTP clients are made on first use.
    /// - Throws: ``CredentialsError`` when the CA bundle cannot be read or holds no certificate,
    ///   naming the file, the setting it came from, and the fix.
    public init(settings: TransportSettings = TransportSettings()) throws {
        self.settings = settings
        pool = ClientPool(settings: settings, tls: try Self.makeTLSConfiguration(settings.caBundle))
        usesProxies = true
    }

    private init(sharing other: AsyncHTTPTransport) {
        settings = other.settings
        pool = other.pool
        usesProxies = false
    }

    /// The same transport (same pools, same lifetime) that never uses a proxy, for
    /// container credential endpoints, which the AWS SDKs reach directly.
    public func bypassingProxies() -> AsyncHTTPTransport {
        AsyncHTTPTransport(sharing: self)
    }

    /// Closes every pooled connection and the clients. Requests sent afterwards fail. Safe to
    /// call twice.
    public func shutdown() async {
        await pool.shutdown()
    }

    /// Sends the request and collects its body (at most ``TransportSettings/maximumResponseBytes``).
    ///
    /// The request timeout bounds the whole exchange, body included (AsyncHTTPClient's own
    /// deadline ends with the response head, so a server trickling its body would otherwise
    /// hold the call forever); the read timeout bounds every silence, mid-body too.
    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let target = Endpoint(request.url)
        let proxy = usesProxies ? settings.proxies.proxy(for: request.url) : nil
        let timeout = request.timeout ?? settings.requestTimeout
        let deadline = ContinuousClock.now + timeout
        var outgoing = HTTPClientRequest(url: request.url.absoluteString)
        outgoing.method = HTTPMethod(rawValue: request.method)
        for (name, value) in request.headers.sorted(by: { $0.key < $1.key }) {
            outgoing.headers.add(name: name, value: value)
        }
        if !request.body.isEmpty {
            outgoing.body = .bytes(ByteBuffer(bytes: request.body))
        }
        do {
            let client = try pool.client(proxy: proxy)
            let response = try await client.execute(outgoing, timeout: TimeAmount(timeout))
            let body = try await Self.collect(response.body, upTo: settings.maximumResponseBytes, before: deadline)
            var headers: [String: String] = [:]
            for (name, value) in response.headers {
                let key = name.lowercased()
                headers[key] = headers[key].map { "\($0),\(value)" } ?? value
            }
            return HTTPResponse(status: Int(response.status.code), headers: headers, body: Data(body.readableBytesView))
        } catch {
            if Task.isCancelled { throw CancellationError() }
            throw TransportError(mapping: error, target: target, proxy: proxy, timeout: timeout, settings: settings)
        }
    }

    /// Collects a body of at most `limit` bytes, or throws `deadlineExceeded` at `deadline`
    /// (cancelling the collection, which closes the connection).
    private static func collect(_ body: HTTPClientResponse.Body, upTo limit: Int, before deadline: ContinuousClock.Instant) async throws -> ByteBuffer {
        try await withThrowingTaskGroup(of: ByteBuffer?.self) { group in
            group.addTask { try await body.collect(upTo: limit) }
            group.addTask {
                try await Task.sleep(until: deadline, clock: .continuous)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let buffer = first else {
                throw HTTPClientError.deadlineExceeded
            }
            return buffer
        }
    }

    /// `HTTPClient`s by proxy route (`nil` is direct), made lazily, all shut down together.
    private final class ClientPool: @unchecked Sendable {
        private let settings: TransportSettings
        private let tls: TLSConfiguration
        private let lock = NSLock()
        private var clients: [ProxySettings.Server?: HTTPClient] = [:]
        private var isShutDown = false

        init(settings: TransportSettings, tls: TLSConfiguration) {
            self.settings = settings
            self.tls = tls
        }

        func client(proxy: ProxySettings.Server?) throws -> HTTPClient {
            try lock.withLock {
                guard !isShutDown else {
                    throw TransportError(kind: .other, detail: "the HTTP client was already shut down")
                }
                if let client = clients[proxy] { return client }
                let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: makeConfiguration(proxy: proxy))
                clients[proxy] = client
                return client
            }
        }

        func shutdown() async {
            let all: [HTTPClient] = lock.withLock {
                isShutDown = true
                defer { clients = [:] }
                return Array(clients.values)
            }
            for client in all {
                try? await client.shutdown()
            }
        }

        private func makeConfiguration(proxy: ProxySettings.Server?) -> HTTPClient.Configuration {
            var configuration = HTTPClient.Configuration(
                tlsConfiguration: tls,
                redirectConfiguration: .disallow,
                timeout: .init(connect: TimeAmount(settings.connectTimeout), read: TimeAmount(settings.readTimeout)),
                connectionPool: .init(
                    idleTimeout: TimeAmount(settings.idleTimeout),
                    concurrentHTTP1ConnectionsPerHostSoftLimit: settings.maximumConnectionsPerHost),
                decompression: .disabled
            )
            // A failed connect fails the request at once; the retry policy decides what follows
            // (AsyncHTTPClient would otherwise retry until the connect timeout, per attempt).
            configuration.connectionPool.retryConnectionEstablishment = false
            if let proxy {
                let authorization = proxy.credentials.map { HTTPClient.Authorization.basic(credentials: Data($0.utf8).base64EncodedString()) }
                configuration.proxy = .server(host: proxy.host, port: proxy.port, authorization: authorization)
            }
            return configuration
        }
    }

    static func makeTLSConfiguration(_ bundle: TransportSettings.CABundle?) throws -> TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        guard let bundle else { return tls }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: bundle.path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw CredentialsError(kind: .unreadableFile, message: "The CA bundle \(bundle.path) (from \(bundle.source)) does not exist or is not a file: point \(bundle.source) at a PEM file of CA certificates, or unset it to use the system trust store.")
        }
        let certificates: [NIOSSLCertificate]
        do {
            certificates = try NIOSSLCertificate.fromPEMFile(bundle.path)
        } catch {
            throw CredentialsError(kind: .unreadableFile, message: "The CA bundle \(bundle.path) (from \(bundle.source)) cannot be read as PEM certificates: check its permissions and that it holds -----BEGIN CERTIFICATE----- blocks.")
        }
        guard !certificates.isEmpty else {
            throw CredentialsError(kind: .invalidConfiguration, message: "The CA bundle \(bundle.path) (from \(bundle.source)) holds no certificate: give it the PEM certificates of your CA.")
        }
        tls.trustRoots = .certificates(certificates)
        return tls
    }
}

/// Creates an ``AsyncHTTPTransport``, runs `body` with it, and always shuts it down.
public func withAsyncHTTPTransport<Result>(
    settings: TransportSettings = TransportSettings(),
    isolation: isolated (any Actor)? = #isolation,
    _ body: (AsyncHTTPTransport) async throws -> Result
) async throws -> Result {
    let transport = try AsyncHTTPTransport(settings: settings)
    do {
        let result = try await body(transport)
        await transport.shutdown()
        return result
    } catch {
        await transport.shutdown()
        throw error
    }
}

/// The host and port a request goes to.
struct Endpoint: Sendable {
    var host: String?
    var port: Int?

    init(_ url: URL) {
        host = url.host
        port = url.port ?? (url.scheme?.lowercased() == "https" ? 443 : (url.scheme?.lowercased() == "http" ? 80 : nil))
    }
}

extension TimeAmount {
    /// The time amount of a `Duration`.
    init(_ duration: Duration) {
        let parts = duration.components
        self = .nanoseconds(parts.seconds * 1_000_000_000 + parts.attoseconds / 1_000_000_000)
    }
}
