import Foundation

/// Caches another provider's credentials and refreshes them before they expire.
///
/// Credentials without an expiry are kept for the whole run. Temporary credentials are
/// refreshed when they are within ``refreshWindow`` seconds of expiring. Concurrent callers
/// share one refresh, so a role is assumed once however many calls start at the same time.
public actor CachingCredentialProvider: CredentialProvider {
    private let base: any CredentialProvider
    private let now: @Sendable () -> Date
    /// How long before expiry credentials are refreshed, in seconds (botocore: 10-15 minutes).
    public nonisolated let refreshWindow: TimeInterval
    private var cached: Credentials?
    private var refreshing: Task<Credentials, any Error>?

    /// Wraps `base`.
    public init(_ base: any CredentialProvider, refreshWindow: TimeInterval = 600, now: @escaping @Sendable () -> Date = { Date() }) {
        self.base = base
        self.refreshWindow = refreshWindow
        self.now = now
        name = base.name
    }

    /// The wrapped provider's name.
    public nonisolated let name: String

    /// Cached credentials, refreshed when missing or about to expire.
    public func credentials() async throws -> Credentials {
        if let cached, !cached.expires(within: refreshWindow, of: now()) { return cached }
        if let refreshing { return try await refreshing.value }
        let base = self.base
        let task = Task { try await base.credentials() }
        refreshing = task
        defer { refreshing = nil }
        let fresh = try await task.value
        cached = fresh
        return fresh
    }

    /// Drops the cached credentials so the next call fetches new ones.
    public func invalidate() {
        cached = nil
    }
}
