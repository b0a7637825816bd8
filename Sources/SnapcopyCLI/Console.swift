import Foundation

/// Where commands write: standard output for results, standard error for progress and errors.
struct Console: Sendable {
    static let standard = Console()

    /// Whether standard output is a terminal.
    var outputIsTerminal: Bool { isatty(STDOUT_FILENO) != 0 }
    var inputIsTerminal: Bool { isatty(STDIN_FILENO) != 0 }
    var errorIsTerminal: Bool { isatty(STDERR_FILENO) != 0 }

    func output(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    func error(_ text: String) {
        FileHandle.standardError.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
    }
}
