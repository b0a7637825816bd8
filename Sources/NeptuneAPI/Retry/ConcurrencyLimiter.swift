/// An async semaphore bounding how many API calls are in flight at once.
///
/// Share one between all clients of a run; each HTTP attempt holds a permit while it is on
/// the wire (not while it sleeps between retries). Waiters are served first-in first-out
/// and leave the queue when their task is cancelled.
public actor ConcurrencyLimiter {
    /// The maximum number of concurrent permits.
    public nonisolated let parallelism: Int
    private var available: Int
    private var waiters: [(id: UInt64, continuation: CheckedContinuation<Void, any Error>)] = []
    private var nextID: UInt64 = 0

    /// Creates a limiter allowing `parallelism` (at least 1) concurrent calls.
    public init(parallelism: Int) {
        self.parallelism = max(1, parallelism)
        available = max(1, parallelism)
    }

    /// Runs `body` while holding a permit.
    public nonisolated func withPermit<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        try await acquire()
        do {
            let result = try await body()
            await release()
            return result
        } catch {
            await release()
            throw error
        }
    }

    /// The number of permits not in use.
    public var availablePermits: Int { available }

    /// Takes a permit, waiting for one if needed.
    public func acquire() async throws {
        try Task.checkCancellation()
        if available > 0 {
            available -= 1
            return
        }
        let id = nextID
        nextID += 1
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                if Task.isCancelled {
                    continuation.resume(throwing: CancellationError())
                } else {
                    waiters.append((id, continuation))
                }
            }
        } onCancel: {
            Task { await self.cancelWaiter(id) }
        }
    }

    /// Returns a permit, handing it to the longest waiter if any.
    public func release() {
        if waiters.isEmpty {
            available = min(parallelism, available + 1)
        } else {
            waiters.removeFirst().continuation.resume()
        }
    }

    private func cancelWaiter(_ id: UInt64) {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return }
        waiters.remove(at: index).continuation.resume(throwing: CancellationError())
    }
}
