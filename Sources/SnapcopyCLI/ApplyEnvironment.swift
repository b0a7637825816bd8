import Foundation
import SnapcopyCore

/// Apply's effects in the real world: the system clock, Ctrl-C, and the terminal.
struct CLIApplyEnvironment: ApplyEnvironment {
    let interrupts: CommandInterrupts
    let progress: ProgressPrinter

    func now() -> Date { Date() }

    func sleep(until deadline: Date) async {
        // Wake early on an interrupt so a first Ctrl-C is acted on promptly.
        while Date() < deadline && !interrupts.isInterrupted {
            let remaining = deadline.timeIntervalSinceNow
            try? await Task.sleep(for: .milliseconds(Int64(max(1, min(200, remaining * 1000)))))
        }
    }

    var isInterrupted: Bool { interrupts.isInterrupted }

    func report(_ event: ApplyEvent) { progress.handle(event) }
}

/// Shows apply's progress: on a terminal, a live line per copy; otherwise a log line whenever a copy's percent changes.
final class ProgressPrinter: @unchecked Sendable {
    private let console: Console
    private let live: Bool
    private let lock = NSLock()
    private var lines: [CopyIdentity: String] = [:]
    private var drawn = 0

    init(console: Console, live: Bool) {
        self.console = console
        self.live = live
    }

    func handle(_ event: ApplyEvent) {
        lock.lock()
        defer { lock.unlock() }
        switch event {
        case .started(let identity, let action):
            log("\(identity.target) (\(identity.region)): \(action == .replace ? "deleting the old copy to replace it" : "\(action.rawValue) started")")
        case .copyStarted(let identity, let arn):
            log("\(identity.target) (\(identity.region)): copy started (\(arn))")
            show(identity, "copying 0%")
        case .progress(let identity, let percent, let elapsed):
            show(identity, "copying \(percent)% (\(Self.format(elapsed)))")
        case .completed(let identity, let action):
            lines[identity] = nil
            log("\(identity.target) (\(identity.region)): \(Self.done(action))")
        case .failed(let identity, let message):
            lines[identity] = nil
            log("\(identity.target) (\(identity.region)): failed: \(message)")
        case .waitingForSlot(let scope, let inflight):
            log("\(scope): \(inflight) \(inflight == 1 ? "copy" : "copies") in progress, the most allowed at once; further copies wait for a free slot")
        case .note(let text):
            log(text)
        }
    }

    func finish() {
        lock.lock()
        defer { lock.unlock() }
        clearLive()
        lines.removeAll()
    }

    private func log(_ text: String) {
        clearLive()
        console.output(text + "\n")
        redraw()
    }

    private func show(_ identity: CopyIdentity, _ status: String) {
        let line = "  \(identity.target) (\(identity.region)): \(status)"
        if live {
            lines[identity] = line
            clearLive()
            redraw()
        } else {
            console.output(line.trimmingCharacters(in: .whitespaces) + "\n")
        }
    }

    private func clearLive() {
        guard live, drawn > 0 else { return }
        console.output(String(repeating: "\u{1B}[1A\u{1B}[2K", count: drawn))
        drawn = 0
    }

    private func redraw() {
        guard live else { return }
        let sorted = lines.sorted { $0.key < $1.key }.map(\.value)
        for line in sorted { console.output(line + "\n") }
        drawn = sorted.count
    }

    static func done(_ action: Action) -> String {
        switch action {
        case .create: "copy available"
        case .replace: "replaced; copy available"
        case .updateTags: "tags updated"
        case .delete: "deleted"
        case .adopt: "adopted (recorded)"
        case .forget: "forgotten (record dropped, snapshot kept)"
        case .noop, .wait: "up to date"
        }
    }

    static func format(_ duration: Duration) -> String {
        let seconds = Int(duration.components.seconds)
        return seconds >= 60 ? "\(seconds / 60)m\(String(format: "%02d", seconds % 60))s" : "\(seconds)s"
    }
}
