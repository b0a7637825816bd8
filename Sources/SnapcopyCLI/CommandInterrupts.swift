import Foundation

/// Ctrl-C (SIGINT) and SIGTERM for commands that only read: the first cancels the command's
/// work so the run ends through the usual clean-up; a second exits at once.
final class CommandInterrupts: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    private var handler: (@Sendable () -> Void)?
    private var sources: [any DispatchSourceSignal] = []

    static func install() -> CommandInterrupts {
        let interrupts = CommandInterrupts()
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler { interrupts.interrupt() }
            source.resume()
            interrupts.sources.append(source)
        }
        return interrupts
    }

    func onInterrupt(_ handler: @escaping @Sendable () -> Void) {
        let fireNow = lock.withLock {
            self.handler = handler
            return count > 0
        }
        if fireNow { handler() }
    }

    var isInterrupted: Bool { lock.withLock { count > 0 } }

    private func interrupt() {
        let (seen, handler) = lock.withLock {
            count += 1
            return (count, self.handler)
        }
        if seen > 1 { Foundation.exit(130) }
        handler?()
    }
}
