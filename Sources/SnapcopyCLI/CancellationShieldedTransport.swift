import NeptuneAPI

/// Sends each request in its own unstructured task, so cancelling the caller never cancels a
/// `URLSessionTask` that is already on the wire.
///
/// On Linux, cancelling a task awaiting `URLSession.data(for:)` while the response is being
/// handled can deadlock the process (swift-corelibs-foundation issue #5412): when one call of
/// a describe fails and the task group cancels its siblings, `plan` hung forever about one run
/// in ten. Shielded, a cancelled caller waits for its request to finish (milliseconds; at most
/// the transport's timeout) and the retry loop and limiter above still see the cancellation.
struct CancellationShieldedTransport: HTTPTransport {
    let base: any HTTPTransport

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let base = self.base
        return try await Task { try await base.send(request) }.value
    }
}
