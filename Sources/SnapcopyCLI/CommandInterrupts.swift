import Foundation

/// Ctrl-C (SIGINT) and SIGTERM, installed once for every command.
///
/// The first interrupt runs the command's handler: commands that only read cancel their work, so
/// the run ends through the usual clean-up; commands that write the lock file (apply, cancel,
/// refresh) stop starting new work, record the calls in flight and finish. A second interrupt
/// exits at once (the journal keeps the lock file consistent).
final class CommandInterrupts: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    private var handler: (@Sendable () -> Void)?
    private var sources: [any DispatchSourceSignal] = []
    /// Said on the second interrupt, before exiting.
    private var farewell = ""

    /// The process's interrupts, installed on first use.
    static let process = install()

    private static func install() -> CommandInterrupts {
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

    /// Runs `handler` on the first interrupt (at once when one already came); `farewell` is said on a second.
    func onInterrupt(farewell: String = "", _ handler: @escaping @Sendable () -> Void) {
        let fireNow = lock.withLock {
            self.handler = handler
            self.farewell = farewell
            return count > 0
        }
        if fireNow { handler() }
    }

    var isInterrupted: Bool { lock.withLock { count > 0 } }

    private func interrupt() {
        let (seen, handler, farewell) = lock.withLock {
            count += 1
            return (count, self.handler, self.farewell)
        }
        if seen > 1 {
            if !farewell.isEmpty { FileHandle.standardError.write(Data(farewell.utf8)) }
            Foundation.exit(130)
        }
        handler?()
    }
}
