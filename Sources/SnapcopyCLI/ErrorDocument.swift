import Foundation
import SnapcopyCore

/// An error as JSON, for `--format json`: a pipeline reading stdout never gets an empty document.
///
/// `{"formatVersion": 1, "error": {"message": ..., "fix": ...}, "exitCode": 1}`, described by
/// `schemas/error.schema.json`.
struct ErrorDocument: Encodable {
    struct Detail: Encodable {
        var message: String
        var fix: String?
    }

    var formatVersion = 1
    var error: Detail
    var exitCode: Int32

    init(_ failure: CommandFailure) {
        var text = failure.message
        if text.hasPrefix("snapcopy: ") { text.removeFirst("snapcopy: ".count) }
        if let range = text.range(of: "\n  fix: ") {
            error = Detail(message: String(text[..<range.lowerBound]), fix: String(text[range.upperBound...]))
        } else {
            error = Detail(message: text, fix: nil)
        }
        exitCode = failure.status.rawValue
    }

    func json() throws -> String {
        do {
            return String(decoding: try CanonicalJSON.encode(self), as: UTF8.self)
        } catch {
            throw CommandFailure("snapcopy: the error could not be rendered as JSON: \(error)")
        }
    }
}
