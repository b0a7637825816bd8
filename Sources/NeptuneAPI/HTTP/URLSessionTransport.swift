import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The real transport: one `URLSession` shared by every client, so connections are reused.
///
/// Create one per process and hand it to every client. Any status code comes back as an
/// ``HTTPResponse``; failures without a response become a ``TransportError``.
public final class URLSessionTransport: HTTPTransport, Sendable {
    private let session: URLSession

    /// Creates a transport with its own session.
    /// - Parameters:
    ///   - requestTimeout: Seconds to wait for data before the request times out.
    ///   - resourceTimeout: Seconds the whole request may take.
    ///   - maximumConnectionsPerHost: Connection pool size per host.
    public init(requestTimeout: TimeInterval = 30, resourceTimeout: TimeInterval = 120, maximumConnectionsPerHost: Int = 8) {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = requestTimeout
        configuration.timeoutIntervalForResource = resourceTimeout
        configuration.httpMaximumConnectionsPerHost = maximumConnectionsPerHost
        configuration.httpCookieStorage = nil
        configuration.urlCache = nil
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        session = URLSession(configuration: configuration)
    }

    deinit {
        session.finishTasksAndInvalidate()
    }

    /// Sends the request through the shared session.
    ///
    /// The request runs in its own unstructured task, so cancelling the caller never cancels a
    /// `URLSessionTask` already on the wire: on Linux that can deadlock the process
    /// (swift-corelibs-foundation issue #5412; `plan` hung about one run in ten when a failed call
    /// cancelled its siblings). A cancelled caller waits for its request to finish (at most the
    /// timeout); the retry loop and limiter above still see the cancellation.
    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        try await Task { try await self.sendUnshielded(request) }.value
    }

    private func sendUnshielded(_ request: HTTPRequest) async throws -> HTTPResponse {
        var urlRequest = URLRequest(url: request.url)
        urlRequest.httpMethod = request.method
        for (name, value) in request.headers { urlRequest.setValue(value, forHTTPHeaderField: name) }
        if !request.body.isEmpty { urlRequest.httpBody = request.body }
        let host = request.url.host
        do {
            let (data, response) = try await session.data(for: urlRequest)
            guard let http = response as? HTTPURLResponse else {
                throw TransportError(kind: .other, detail: "the response was not HTTP", host: host)
            }
            var headers: [String: String] = [:]
            for (key, value) in http.allHeaderFields {
                if let key = key as? String, let value = value as? String { headers[key] = value }
            }
            return HTTPResponse(status: http.statusCode, headers: headers, body: data)
        } catch let error as TransportError {
            throw error
        } catch let error as URLError {
            throw TransportError(urlError: error, host: host)
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw TransportError(kind: .other, detail: String(describing: type(of: error)), host: host)
        }
    }
}

extension TransportError {
    /// Classifies a `URLError` without keeping its URL (which may carry a query string).
    public init(urlError: URLError, host: String?) {
        let kind: Kind
        switch urlError.code {
        case .timedOut:
            kind = .timedOut
        case .networkConnectionLost, .secureConnectionFailed, .badServerResponse, .cannotParseResponse,
             .zeroByteResource:
            kind = .connectionLost
        case .cannotConnectToHost, .cannotFindHost, .dnsLookupFailed, .notConnectedToInternet:
            kind = .cannotConnect
        case .cancelled:
            kind = .other
        default:
            kind = .other
        }
        self.init(kind: kind, detail: "URLError \(urlError.code.rawValue)", host: host)
    }
}
