import Foundation

/// Where commands write: standard output for results, standard error for progress and errors.
struct Console: Sendable {
    static let standard = Console()
    /// Everything to standard error: for commands whose standard output is one JSON document.
    static let diagnostics = Console(outputGoesToStandardError: true)

    /// Whether ``output(_:)`` writes to standard error.
    var outputGoesToStandardError = false

    /// Whether what ``output(_:)`` writes goes to a terminal.
    var outputIsTerminal: Bool { isatty(outputGoesToStandardError ? STDERR_FILENO : STDOUT_FILENO) != 0 }
    var inputIsTerminal: Bool { isatty(STDIN_FILENO) != 0 }
    var errorIsTerminal: Bool { isatty(STDERR_FILENO) != 0 }

    func output(_ text: String) {
        Self.write(text, to: outputGoesToStandardError ? FileHandle.standardError : FileHandle.standardOutput)
    }

    /// Writes the text's UTF-8 without copying it first: a plan of 100,000 copies is 35 MB of text.
    private static func write(_ text: String, to handle: FileHandle) {
        var text = text
        text.withUTF8 { bytes in
            guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
            handle.write(Data(bytesNoCopy: UnsafeMutableRawPointer(mutating: base), count: bytes.count, deallocator: .none))
        }
    }

    /// Writes the result document to standard output, whatever ``outputGoesToStandardError`` says.
    func result(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    func error(_ text: String) {
        FileHandle.standardError.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
    }
}
