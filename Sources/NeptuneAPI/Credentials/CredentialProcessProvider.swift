import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Credentials printed by an external command (`credential_process` in a profile).
///
/// The command runs through `/bin/sh -c` with the injected environment (not the process's)
/// and must print `{"Version": 1, "AccessKeyId": ..., "SecretAccessKey": ...,
/// "SessionToken": ..., "Expiration": "2024-05-01T12:00:00Z"}`. Its output is never
/// included in errors, since it holds secrets.
public struct CredentialProcessProvider: CredentialProvider {
    /// The command line.
    public let command: String
    /// The profile that configured it, for messages.
    public let profile: String
    private let environment: [String: String]
    private let timeout: TimeInterval

    /// Creates a provider.
    public init(command: String, profile: String, environment: [String: String], timeout: TimeInterval = 60) {
        self.command = command
        self.profile = profile
        self.environment = environment
        self.timeout = timeout
    }

    /// `credential_process of profile NAME`.
    public var name: String { "credential_process of profile \(profile)" }

    /// Runs the command and parses its output.
    public func credentials() async throws -> Credentials {
        let result = try await Self.run(command: command, environment: environment, timeout: timeout)
        if result.killed {
            throw CredentialsError(kind: .credentialProcessFailed, message: "The credential_process of profile \"\(profile)\" did not finish within \(Int(timeout)) seconds and was stopped.")
        }
        guard result.status == 0 else {
            let stderr = NeptuneAPIError.sanitizedSnippet(result.stderr)
            let detail = stderr.isEmpty ? "" : ": \(stderr)"
            throw CredentialsError(kind: .credentialProcessFailed, message: "The credential_process of profile \"\(profile)\" exited with status \(result.status)\(detail).")
        }
        return try parse(result.stdout)
    }

    private struct Output: Decodable {
        let Version: Int
        let AccessKeyId: String
        let SecretAccessKey: String
        let SessionToken: String?
        let Expiration: String?
    }

    /// Parses the JSON a credential process prints.
    func parse(_ data: Data) throws -> Credentials {
        let output: Output
        do {
            output = try JSONDecoder().decode(Output.self, from: data)
        } catch {
            throw CredentialsError(kind: .credentialProcessFailed, message: "The credential_process of profile \"\(profile)\" did not print the expected JSON ({\"Version\": 1, \"AccessKeyId\": ..., \"SecretAccessKey\": ...}).")
        }
        guard output.Version == 1 else {
            throw CredentialsError(kind: .credentialProcessFailed, message: "The credential_process of profile \"\(profile)\" printed Version \(output.Version); only Version 1 is supported.")
        }
        var expiration: Date?
        if let text = output.Expiration {
            guard let date = AWSTimestamp.parse(text) else {
                throw CredentialsError(kind: .credentialProcessFailed, message: "The credential_process of profile \"\(profile)\" printed an Expiration that is not an ISO 8601 timestamp.")
            }
            expiration = date
        }
        return Credentials(accessKeyID: output.AccessKeyId, secretAccessKey: output.SecretAccessKey, sessionToken: output.SessionToken, expiration: expiration, source: name)
    }

    /// Runs `/bin/sh -c command`, collecting stdout and stderr, killing it after `timeout`.
    ///
    /// The blocking reads and the timer each get their own serial queue (and so their own
    /// thread): on a small machine the global concurrent queue may have too few threads for
    /// two blocked readers plus the timer.
    static func run(command: String, environment: [String: String], timeout: TimeInterval) async throws -> (status: Int32, killed: Bool, stdout: Data, stderr: Data) {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue(label: "snapcopy.credential-process.stdout").async {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: "/bin/sh")
                process.arguments = ["-c", command]
                process.environment = environment
                let stdout = Pipe()
                let stderr = Pipe()
                process.standardOutput = stdout
                process.standardError = stderr
                process.standardInput = FileHandle.nullDevice
                do {
                    try process.run()
                } catch {
                    continuation.resume(throwing: CredentialsError(kind: .credentialProcessFailed, message: "Cannot start the credential_process (/bin/sh): \(error.localizedDescription)."))
                    return
                }
                // SIGTERM first, SIGKILL a second later: the process may ignore SIGTERM
                // (dispositions it inherits from a test runner, say).
                let timer = DispatchQueue(label: "snapcopy.credential-process.timer")
                let pid = process.processIdentifier
                let killer = DispatchWorkItem {
                    guard process.isRunning else { return }
                    process.terminate()
                    timer.asyncAfter(deadline: .now() + 1) { if process.isRunning { kill(pid, SIGKILL) } }
                }
                timer.asyncAfter(deadline: .now() + timeout, execute: killer)
                let errorOutput = DataBox()
                let group = DispatchGroup()
                group.enter()
                DispatchQueue(label: "snapcopy.credential-process.stderr").async {
                    errorOutput.set(stderr.fileHandleForReading.readDataToEndOfFile())
                    group.leave()
                }
                let output = stdout.fileHandleForReading.readDataToEndOfFile()
                group.wait()
                process.waitUntilExit()
                killer.cancel()
                let killed = process.terminationReason == .uncaughtSignal
                continuation.resume(returning: (process.terminationStatus, killed, output, errorOutput.get()))
            }
        }
    }

    private final class DataBox: @unchecked Sendable {
        private let lock = NSLock()
        private var data = Data()
        func set(_ value: Data) { lock.lock(); data = value; lock.unlock() }
        func get() -> Data { lock.lock(); defer { lock.unlock() }; return data }
    }
}
