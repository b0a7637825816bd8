import NeptuneAPI

/// The one ``AsyncHTTPTransport`` of a test process, for control calls to the fakes and for
/// reading their state through the real API client. It lives until the process exits (a static
/// is never deinitialised, so the client needs no shutdown).
public enum TestTransport {
    /// Short timeouts: every peer is a local fake.
    public static let shared: AsyncHTTPTransport = {
        do {
            return try AsyncHTTPTransport(settings: TransportSettings(connectTimeout: .seconds(5), readTimeout: .seconds(30), requestTimeout: .seconds(60)))
        } catch {
            fatalError("cannot make the test transport: \(error)")
        }
    }()
}
