import Foundation

/// The secrets canary: every end-to-end run of the `snapcopy` binary is checked for leaked secrets.
///
/// The tests give snapcopy recognisable fake credentials (``SecretCanary/marker`` in the secret key
/// and the session token) and the fakes hand out credentials that are just as recognisable. After
/// each run, its standard output and error and every file it created or changed (plan files, lock
/// files, reports, result documents, `--output` files, captured logs) are scanned for the secret
/// key, the session token and any other secret the run was given, for a request signature
/// (`X-Amz-Signature`, an `Authorization` header's `Signature=`), a pre-signed URL's other
/// parameters, and for a pre-signed `CopyDBClusterSnapshot` URL itself.
public enum SecretCanary {
    /// Contained in every canary secret, so a leak is found whatever part of the value leaked.
    public static let marker = "SNAPCOPYCANARY"
    /// A secret key with the characters that need escaping in URLs and JSON.
    public static let secretAccessKey = "SNAPCOPYCANARY/secret+Key=0123456789abcdefXYZ"
    /// A session token as long and oddly charactered as STS's.
    public static let sessionToken = "SNAPCOPYCANARY-session-token//IQoJb3JpZ2luX2VjEJr+//////////wEaCXVzLWVhc3QtMSJHMEUCIQ=="
    /// The access key ID that goes with them (not a secret: printed masked as `AKIA****...`).
    public static let accessKeyID = "AKIACANARYTESTKEY001"

    /// Environment variables giving snapcopy the canary credentials, a session token included.
    public static var credentialEnvironment: [String: String] {
        ["AWS_ACCESS_KEY_ID": accessKeyID, "AWS_SECRET_ACCESS_KEY": secretAccessKey, "AWS_SESSION_TOKEN": sessionToken]
    }

    /// Environment variables whose values are secrets.
    static let secretVariables = ["AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_CONTAINER_AUTHORIZATION_TOKEN"]
    /// Keys of AWS config and credentials files whose values are secrets.
    static let secretFileKeys = ["aws_secret_access_key", "aws_session_token", "aws_security_token"]
    /// Prefixes of the secrets the test fakes issue (fake_edges.py) and other fixed test secrets.
    static let issuedSecretPrefixes = [marker, "fake-secret-", "fake-session-token-"]
    /// What a signature, a signed request or a pre-signed URL looks like in text.
    static let signaturePatterns: [(name: String, pattern: String)] = [
        // A name followed by a value that is not `<redacted>` (a message may name a header whose value it masked).
        ("an X-Amz-Signature", "(?i)X-Amz-Signature\\s*(?:[=:]|%3D)\\s*(?!<redacted>)[^\\s&\"']"),
        ("an X-Amz-Credential (pre-signed URL)", "(?i)X-Amz-Credential\\s*(?:[=:]|%3D)\\s*(?!<redacted>)[^\\s&\"']"),
        ("an X-Amz-Security-Token (pre-signed URL)", "(?i)X-Amz-Security-Token\\s*(?:[=:]|%3D)\\s*(?!<redacted>)[^\\s&\"']"),
        ("an Authorization header's signature", "(?i)Signature=[0-9a-f]{16}"),
        ("a SigV4 Authorization header", "AWS4-HMAC-SHA256 Credential=(?!<redacted>)"),
        ("a pre-signed CopyDBClusterSnapshot URL", "(?i)https?://[^\\s\"']*[?&]Action=CopyDBClusterSnapshot"),
        ("a PreSignedUrl parameter with a value", "(?i)PreSignedUrl=http"),
    ]

    /// One secret, or sign of one, found where it must not be.
    public struct Leak: Sendable, Hashable, CustomStringConvertible {
        /// Where: `stdout`, `stderr` or a file's path.
        public var place: String
        /// What was found (never the secret itself).
        public var what: String
        /// 1-based line of the first occurrence.
        public var line: Int

        public var description: String { "\(place):\(line): \(what)" }
    }

    /// The secrets a run was given: the secret variables of its environment, the secret values of
    /// the AWS config and credentials files it would read, and the fixed canary values.
    public static func secrets(givenIn environment: [String: String]) -> [String] {
        var secrets = [secretAccessKey, sessionToken]
        for name in secretVariables {
            if let value = environment[name], value.count >= 6 { secrets.append(value) }
        }
        var files: [String] = []
        if let file = environment["AWS_SHARED_CREDENTIALS_FILE"] { files.append(file) }
        if let file = environment["AWS_CONFIG_FILE"] { files.append(file) }
        if let home = environment["HOME"] { files += ["\(home)/.aws/credentials", "\(home)/.aws/config"] }
        for file in files {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { continue }
            for line in text.split(whereSeparator: \.isNewline) {
                let parts = line.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                if parts.count == 2, secretFileKeys.contains(parts[0].lowercased()), parts[1].count >= 6 {
                    secrets.append(parts[1])
                }
            }
        }
        return Array(Set(secrets)).sorted()
    }

    /// The leaks in `text`, found at `place`.
    public static func leaks(in text: String, place: String, secrets: [String]) -> [Leak] {
        var found: [Leak] = []
        func lineNumber(of range: Range<String.Index>) -> Int {
            text[..<range.lowerBound].reduce(1) { $1 == "\n" ? $0 + 1 : $0 }
        }
        for (index, secret) in secrets.enumerated() {
            let forms = Set([secret, secret.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? secret,
                             secret.replacingOccurrences(of: "/", with: "\\/")])
            for form in forms {
                if let range = text.range(of: form) {
                    found.append(Leak(place: place, what: "secret #\(index + 1) given to the run (\(secret.count) characters)", line: lineNumber(of: range)))
                    break
                }
            }
        }
        for prefix in issuedSecretPrefixes {
            if let range = text.range(of: prefix) {
                found.append(Leak(place: place, what: "a test secret (\(prefix)...)", line: lineNumber(of: range)))
            }
        }
        for (name, pattern) in signaturePatterns {
            if let range = text.range(of: pattern, options: .regularExpression) {
                found.append(Leak(place: place, what: name, line: lineNumber(of: range)))
            }
        }
        return found
    }

    /// The regular files under `directory` (hidden folders left out) with their sizes and
    /// modification times, to tell which ones a run created or changed.
    public struct FileSnapshot: Sendable {
        var files: [String: FileStamp] = [:]

        /// The files under `directory` and the files named by `arguments` (`PATH`, `--flag=PATH`).
        public init(of directory: URL?, arguments: [String] = []) {
            for argument in arguments {
                let path = argument.hasPrefix("-") ? String(argument.split(separator: "=", maxSplits: 1).dropFirst().first ?? "") : argument
                guard path.hasPrefix("/"), let attributes = try? FileManager.default.attributesOfItem(atPath: path),
                      attributes[.type] as? FileAttributeType == .typeRegular else { continue }
                files[URL(fileURLWithPath: path).standardizedFileURL.path] = FileStamp(
                    size: (attributes[.size] as? Int) ?? 0, modified: (attributes[.modificationDate] as? Date) ?? .distantPast)
            }
            guard let directory else { return }
            guard let walker = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: [.isRegularFileKey, .fileSizeKey, .contentModificationDateKey]) else { return }
            for case let url as URL in walker {
                // Hidden folders are not outputs: `.aws` holds the test's own credentials, and a run
                // from the package root must not walk `.build` (100,000 files) or `.git`.
                if url.lastPathComponent.hasPrefix("."), (try? url.resourceValues(forKeys: [.isDirectoryKey]))?.isDirectory == true {
                    walker.skipDescendants()
                    continue
                }
                guard let values = try? url.resourceValues(forKeys: [.isRegularFileKey, .fileSizeKey, .contentModificationDateKey]),
                      values.isRegularFile == true else { continue }
                files[url.standardizedFileURL.path] = FileStamp(size: values.fileSize ?? 0, modified: values.contentModificationDate ?? .distantPast)
            }
        }

        /// The files present now that were absent or different in `earlier`.
        public func changed(since earlier: FileSnapshot) -> [String] {
            files.filter { earlier.files[$0.key] != $0.value }.keys.sorted()
        }
    }

    struct FileStamp: Sendable, Equatable {
        var size: Int
        var modified: Date
    }

    /// The largest file scanned; bigger ones (a test's 50 MB input) are not the run's output.
    static let largestScannedFile = 8 << 20

    /// Every leak of one finished run: its output and the files it created or changed.
    public static func leaks(stdout: String, stderr: String, filesChanged: [String], environment: [String: String]) -> [Leak] {
        let secrets = secrets(givenIn: environment)
        var found = leaks(in: stdout, place: "stdout", secrets: secrets) + leaks(in: stderr, place: "stderr", secrets: secrets)
        var bytes = stdout.utf8.count + stderr.utf8.count
        var scannedFiles = 0
        for file in filesChanged {
            guard let data = FileManager.default.contents(atPath: file), data.count <= largestScannedFile else { continue }
            bytes += data.count
            scannedFiles += 1
            found += leaks(in: String(decoding: data, as: UTF8.self), place: file, secrets: secrets)
        }
        record(bytes: bytes, files: scannedFiles, leaks: found.count, environment: environment)
        return found
    }

    /// Appends one line per scanned run to the file named by `SNAPCOPY_CANARY_LOG` in the test
    /// process's environment, for the figures in Tests/RELIABILITY.md.
    static func record(bytes: Int, files: Int, leaks: Int, environment: [String: String]) {
        guard let log = ProcessInfo.processInfo.environment["SNAPCOPY_CANARY_LOG"], !log.isEmpty else { return }
        let token = environment["AWS_SESSION_TOKEN"] == nil ? "no-token" : "token"
        let line = "\(bytes) \(files) \(leaks) \(token)\n"
        if let handle = FileHandle(forWritingAtPath: log) {
            handle.seekToEndOfFile()
            handle.write(Data(line.utf8))
            try? handle.close()
        } else {
            FileManager.default.createFile(atPath: log, contents: Data(line.utf8))
        }
    }
}

/// A run of `snapcopy` printed or wrote a secret.
public struct SecretLeakError: Error, CustomStringConvertible, Sendable {
    public let arguments: [String]
    public let leaks: [SecretCanary.Leak]

    public init(arguments: [String], leaks: [SecretCanary.Leak]) {
        self.arguments = arguments
        self.leaks = leaks
    }

    public var description: String {
        "snapcopy \(arguments.joined(separator: " ")) leaked secrets:\n"
            + leaks.map { "  \($0)" }.joined(separator: "\n")
    }
}
