import Foundation
import NeptuneAPI

/// The process's HTTP transport: made on first use by ``ServiceContext``, shared by every
/// client of the run, and shut down by `SnapcopyCommand.runCommandLine()` on every exit path
/// (success, failure, interrupt).
final class SharedTransport: @unchecked Sendable {
    /// The one instance of the process.
    static let process = SharedTransport()

    private let lock = NSLock()
    private var transports: [(settings: TransportSettings, transport: AsyncHTTPTransport)] = []

    /// The transport for `settings`, made the first time they are asked for.
    /// - Throws: ``CredentialsError`` when the CA bundle is unusable.
    func transport(settings: TransportSettings) throws -> AsyncHTTPTransport {
        try lock.withLock {
            if let existing = transports.first(where: { $0.settings == settings }) { return existing.transport }
            let transport = try AsyncHTTPTransport(settings: settings)
            transports.append((settings, transport))
            return transport
        }
    }

    /// Shuts every transport down (closing pooled connections). Safe to call twice.
    func shutdown() async {
        let all = lock.withLock {
            defer { transports = [] }
            return transports.map(\.transport)
        }
        for transport in all {
            await transport.shutdown()
        }
    }
}
