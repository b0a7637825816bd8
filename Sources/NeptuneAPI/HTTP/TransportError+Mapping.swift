import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

extension TransportError {
    /// Classifies an AsyncHTTPClient / SwiftNIO error without keeping anything of the request
    /// but its host and port: the error says which timeout expired, that a connection was refused,
    /// or that TLS failed and which setting to check.
    init(mapping error: any Error, target: Endpoint, proxy: ProxySettings.Server?, timeout: Duration, settings: TransportSettings) {
        let via = proxy.map { " through the proxy \($0)" } ?? ""
        let proxyHint = proxy.map { "Check the proxy \($0.host):\($0.port) (\($0.source)) or add this host to NO_PROXY; also check the endpoint URL." }
        func make(_ kind: Kind, _ detail: String, hint: String? = nil) -> TransportError {
            TransportError(kind: kind, detail: detail + via, host: target.host, port: target.port, hint: hint ?? proxyHint)
        }
        switch error {
        case let error as TransportError:
            self = error
        case let error as HTTPClientError:
            switch error {
            case .connectTimeout:
                self = make(.timedOut, "no connection within the connect timeout of \(Self.seconds(settings.connectTimeout))")
            case .readTimeout:
                self = make(.timedOut, "no data for the read timeout of \(Self.seconds(settings.readTimeout))")
            case .deadlineExceeded:
                self = make(.timedOut, "no complete response within the request timeout of \(Self.seconds(timeout))")
            case .tlsHandshakeTimeout:
                self = make(.timedOut, "the TLS handshake did not finish in time")
            case .httpProxyHandshakeTimeout:
                self = make(.timedOut, "the proxy did not open a tunnel in time")
            case .getConnectionFromPoolTimeout:
                self = make(.timedOut, "no connection became free in time")
            case .remoteConnectionClosed:
                self = make(.connectionLost, "the server closed the connection")
            case .proxyAuthenticationRequired:
                self = make(.cannotConnect, "the proxy requires authentication (407)", hint: "Put the proxy's user and password in \(proxy?.source ?? "HTTPS_PROXY") (http://user:password@host:port).")
            case .invalidProxyResponse:
                self = make(.cannotConnect, "the proxy refused to open a tunnel")
            default:
                self = make(.other, error.shortDescription)
            }
        case let error as NIOConnectionError:
            if error.dnsAError != nil && error.dnsAAAAError != nil && error.connectionErrors.isEmpty {
                self = make(.cannotConnect, "the host name could not be resolved")
            } else {
                self = make(.cannotConnect, Self.describe(error.connectionErrors.first?.error))
            }
        case let error as ChannelError:
            switch error {
            case .connectTimeout:
                self = make(.timedOut, "no connection within the connect timeout of \(Self.seconds(settings.connectTimeout))")
            case .eof, .ioOnClosedChannel, .outputClosed, .alreadyClosed:
                self = make(.connectionLost, "the connection closed")
            default:
                self = make(.other, "channel error")
            }
        case let error as IOError:
            switch error.errnoCode {
            case ECONNREFUSED, EHOSTUNREACH, ENETUNREACH, EADDRNOTAVAIL:
                self = make(.cannotConnect, Self.describe(error))
            case ECONNRESET, EPIPE, ECONNABORTED:
                self = make(.connectionLost, Self.describe(error))
            case ETIMEDOUT:
                self = make(.timedOut, Self.describe(error))
            default:
                self = make(.other, Self.describe(error))
            }
        case let error as NIOSSLError:
            switch error {
            case .uncleanShutdown:
                self = make(.connectionLost, "the TLS connection was cut")
            default:
                self = make(.tlsFailed, Self.describe(tls: error), hint: settings.trustHint)
            }
        case is BoringSSLError, is NIOSSLExtraError:
            self = make(.tlsFailed, "the server's certificate was not accepted", hint: settings.trustHint)
        case is NIOTooManyBytesError:
            self = make(.responseTooLarge, "the body is larger than the \(Self.size(settings.maximumResponseBytes)) snapcopy accepts; it was not read further",
                        hint: "Check the endpoint URL and any proxy: no AWS API snapcopy calls answers with that much.")
        case let error as HTTPParserError:
            switch error {
            case .invalidEOFState:
                self = make(.connectionLost, "the connection closed before the response was complete")
            default:
                self = make(.other, "the answer is not valid HTTP/1.1 (\(error))", hint: "Check the endpoint URL and any proxy: that server does not speak HTTP correctly.")
            }
        default:
            self = make(.other, String(describing: type(of: error)))
        }
    }

    /// A byte count as `8 MiB`, `512 KiB` or `16 bytes`.
    static func size(_ bytes: Int) -> String {
        if bytes >= 1_048_576, bytes % 1_048_576 == 0 { return "\(bytes / 1_048_576) MiB" }
        if bytes >= 1024, bytes % 1024 == 0 { return "\(bytes / 1024) KiB" }
        return bytes == 1 ? "1 byte" : "\(bytes) bytes"
    }

    private static func seconds(_ duration: Duration) -> String {
        let value = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        return value == value.rounded() ? "\(Int(value)) s" : String(format: "%.1f s", value)
    }

    private static func describe(_ error: (any Error)?) -> String {
        guard let error = error as? IOError else { return "connection refused or unreachable" }
        switch error.errnoCode {
        case ECONNREFUSED: return "connection refused"
        case EHOSTUNREACH: return "host unreachable"
        case ENETUNREACH: return "network unreachable"
        case ECONNRESET: return "connection reset"
        case EPIPE: return "broken pipe"
        case ETIMEDOUT: return "connection timed out"
        default: return "errno \(error.errnoCode)"
        }
    }

    private static func describe(tls error: NIOSSLError) -> String {
        switch error {
        case .handshakeFailed(let inner):
            let text = String(describing: inner)
            if text.contains("CERTIFICATE_VERIFY_FAILED") { return "certificate verify failed" }
            if text.contains("WRONG_VERSION_NUMBER") { return "the server did not answer with TLS" }
            return "handshake failed"
        case .unableToValidateCertificate, .noCertificateToValidate:
            return "the certificate could not be validated"
        case .cannotMatchULabel:
            return "the host name does not match the certificate"
        default:
            return "TLS error"
        }
    }
}
