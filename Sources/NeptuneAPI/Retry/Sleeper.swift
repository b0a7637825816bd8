/// Waits for a duration. Injected into clients so tests never really sleep.
public protocol Sleeper: Sendable {
    /// Suspends for `duration`; throws `CancellationError` when the task is cancelled.
    func sleep(for duration: Duration) async throws
}

/// Sleeps on a real clock (`ContinuousClock` by default).
public struct ClockSleeper<C: Clock>: Sleeper where C.Duration == Duration {
    private let clock: C

    /// Sleeps on `clock`.
    public init(clock: C) {
        self.clock = clock
    }

    /// Sleeps on the clock.
    public func sleep(for duration: Duration) async throws {
        try await clock.sleep(for: duration)
    }
}

extension ClockSleeper where C == ContinuousClock {
    /// Sleeps on the continuous clock.
    public init() {
        self.init(clock: ContinuousClock())
    }
}
