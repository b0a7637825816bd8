import Foundation

/// Caches another provider's credentials and refreshes them before they expire.
///
/// Credentials without an expiry are kept for the whole run. Temporary credentials are
/// refreshed when they are within the refresh window of expiring: ``refreshWindow`` seconds
/// (botocore: 10-15 minutes), or half their lifetime when they were issued for less than twice
/// that, so short-lived credentials are still reused. If a refresh fails while the cached
/// credentials are still valid, those are used and the refresh is tried again on the next call.
/// Concurrent callers share one refresh, so a role is assumed once however many calls start at
/// the same time.
public actor CachingCredentialProvider: CredentialProvider {
    private let base: any CredentialProvider
    private let now: @Sendable () -> Date
    /// How long before expiry credentials are refreshed, in seconds.
    public nonisolated let refreshWindow: TimeInterval
    private var cached: Credentials?
    private var fetchedAt: Date?
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
        let current = now()
        if let cached, !needsRefresh(cached, at: current) { return cached }
        if let refreshing { return try await refreshing.value }
        let base = self.base
        let task = Task { try await base.credentials() }
        refreshing = task
        defer { refreshing = nil }
        do {
            let fresh = try await task.value
            cached = fresh
            fetchedAt = current
            return fresh
        } catch {
            if let cached, let expiration = cached.expiration, expiration.timeIntervalSince(now()) > 5 { return cached }
            throw error
        }
    }

    /// Whether `credentials` are within the refresh window at `date`.
    func needsRefresh(_ credentials: Credentials, at date: Date) -> Bool {
        guard let expiration = credentials.expiration else { return false }
        var window = refreshWindow
        if let fetchedAt {
            window = min(window, max(0, expiration.timeIntervalSince(fetchedAt)) / 2)
        }
        return expiration.timeIntervalSince(date) <= window
    }

    /// Drops the cached credentials so the next call fetches new ones.
    public func invalidate() {
        cached = nil
        fetchedAt = nil
    }
}
