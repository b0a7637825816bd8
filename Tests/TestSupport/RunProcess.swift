import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How a finished process ended and what it printed.
public struct ProcessResult: Sendable, Equatable {
    /// The exit status, or 128 + the signal number if a signal ended it (as shells report).
    public var exitCode: Int32
    public var stdout: String
    public var stderr: String

    public init(exitCode: Int32, stdout: String, stderr: String) {
        self.exitCode = exitCode
        self.stdout = stdout
        self.stderr = stderr
    }
}

/// A process ran past its timeout and was killed; carries what it printed until then.
public struct ProcessTimeoutError: Error, CustomStringConvertible, Sendable {
    public let executable: URL
    public let arguments: [String]
    public let timeout: Duration
    public let stdout: String
    public let stderr: String

    public var description: String {
        "\(executable.path) \(arguments.joined(separator: " ")) did not finish within \(timeout); "
            + "killed.\n--- stdout ---\n\(stdout.suffix(4_000))\n--- stderr ---\n\(stderr.suffix(4_000))"
    }
}

/// Runs `executable` to completion and returns its exit code and output.
///
/// The environment is exactly `environment` (nothing is inherited). Both pipes are
/// drained while the process runs, so large output cannot deadlock it. Past `timeout`
/// the process and its process group get SIGTERM, then SIGKILL 2 s later, and
/// ``ProcessTimeoutError`` is thrown.
///
/// Runs of `snapcopy` (or any run with `scanForSecrets`) go through the secrets canary: when the
/// output or a file the run created or changed under `currentDirectory` (or named by an argument)
/// holds a secret, a signature or a pre-signed URL, ``SecretLeakError`` is thrown.
public func runProcess(
    executable: URL,
    arguments: [String] = [],
    environment: [String: String],
    currentDirectory: URL? = nil,
    stdin: String? = nil,
    timeout: Duration = .seconds(60),
    scanForSecrets: Bool? = nil
) async throws -> ProcessResult {
    // The secrets canary (SecretCanary): what snapcopy prints and writes is scanned afterwards.
    let isSnapcopy = scanForSecrets ?? (executable.lastPathComponent == "snapcopy")
    let filesBefore = isSnapcopy ? SecretCanary.FileSnapshot(of: currentDirectory, arguments: arguments) : nil
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    process.environment = environment
    if let currentDirectory {
        process.currentDirectoryURL = currentDirectory
    }
    let output = Pipe()
    let errors = Pipe()
    let input = Pipe()
    process.standardOutput = output
    process.standardError = errors
    process.standardInput = stdin == nil ? FileHandle.nullDevice : input
    try process.run()

    let stdoutReader = PipeReader(output.fileHandleForReading)
    let stderrReader = PipeReader(errors.fileHandleForReading)
    if let stdin {
        let writer = input.fileHandleForWriting
        Thread.detachNewThread {
            try? writer.write(contentsOf: Data(stdin.utf8))  // fails harmlessly if the child quits early
            try? writer.close()
        }
    }

    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    var ending = Ending.of(process)
    while ending == nil && clock.now < deadline {
        await pause(milliseconds: 10)
        ending = Ending.of(process)
    }
    guard let ending else {
        // Foundation starts the child as a process-group leader, and only sees it exit
        // once every process holding its monitoring socket is gone: signal the group.
        signalGroup(of: process, SIGTERM)
        let killDeadline = clock.now + .seconds(2)
        while process.isRunning && clock.now < killDeadline {
            await pause(milliseconds: 10)
        }
        if process.isRunning {
            signalGroup(of: process, SIGKILL)
        }
        let reapDeadline = clock.now + .seconds(5)
        while process.isRunning && clock.now < reapDeadline {
            await pause(milliseconds: 10)
        }
        throw ProcessTimeoutError(
            executable: executable, arguments: arguments, timeout: timeout,
            stdout: await stdoutReader.text(waitingUpTo: .seconds(2)),
            stderr: await stderrReader.text(waitingUpTo: .seconds(2)))
    }

    // A grandchild that inherited the pipes can hold them open: wait for EOF, but boundedly.
    let stdout = await stdoutReader.text(waitingUpTo: .seconds(5))
    let stderr = await stderrReader.text(waitingUpTo: .seconds(5))
    let exitCode = ending.exitCode
    if let filesBefore {
        let changed = SecretCanary.FileSnapshot(of: currentDirectory, arguments: arguments).changed(since: filesBefore)
        let leaks = SecretCanary.leaks(stdout: stdout, stderr: stderr, filesChanged: changed, environment: environment)
        if !leaks.isEmpty { throw SecretLeakError(arguments: arguments, leaks: leaks) }
    }
    return ProcessResult(exitCode: exitCode, stdout: stdout, stderr: stderr)
}

/// How a child ended, learnt from the kernel when Foundation has not noticed yet.
///
/// On Linux, Foundation sees a child exit only once every process holding its monitoring socket is
/// gone; a long-lived process another test spawns at the same moment (a moto server) can inherit
/// that socket and keep `isRunning` true long after the child exited. `waitid` with `WNOWAIT` reads
/// the exit status without reaping the child, which Foundation still does itself.
private enum Ending: Equatable {
    case exited(Int32)
    case signalled(Int32)

    /// The exit status, or 128 + the signal number if a signal ended it (as shells report).
    var exitCode: Int32 {
        switch self {
        case .exited(let status): status
        case .signalled(let signal): 128 + signal
        }
    }

    /// How `process` ended, or nil while it runs.
    static func of(_ process: Process) -> Ending? {
        if !process.isRunning {
            let status = process.terminationStatus
            return process.terminationReason == .uncaughtSignal ? .signalled(status) : .exited(status)
        }
        #if os(Linux)
        var info = siginfo_t()
        let pid = process.processIdentifier
        guard waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0,
              info._sifields._sigchld.si_pid == pid else { return nil }
        let status = info._sifields._sigchld.si_status
        return info.si_code == Int32(CLD_EXITED) ? .exited(status) : .signalled(status)
        #else
        return nil
        #endif
    }
}

/// Sends `signal` to the child's process group if it leads one, else to the child alone.
private func signalGroup(of process: Process, _ signal: Int32) {
    let pid = process.processIdentifier
    if kill(-pid, signal) != 0 {
        kill(pid, signal)
    }
}

/// Sleeps without spinning, even when the task is cancelled (cleanup must still wait).
private func pause(milliseconds: Int) async {
    if (try? await Task.sleep(for: .milliseconds(milliseconds))) == nil {
        usleep(useconds_t(milliseconds * 1_000))
    }
}

/// Drains a pipe on its own thread into a buffer until EOF.
private final class PipeReader: @unchecked Sendable {
    private let lock = NSLock()
    private var buffer = Data()
    private var isFinished = false

    init(_ handle: FileHandle) {
        Thread.detachNewThread { [self] in
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                lock.withLock { buffer.append(chunk) }
            }
            lock.withLock { isFinished = true }
        }
    }

    /// The text read so far, after waiting for EOF for at most `timeout`.
    func text(waitingUpTo timeout: Duration) async -> String {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while !lock.withLock({ isFinished }) && clock.now < deadline {
            await pause(milliseconds: 5)
        }
        return lock.withLock { String(decoding: buffer, as: UTF8.self) }
    }
}
