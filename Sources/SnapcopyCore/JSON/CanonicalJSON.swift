import Foundation

/// Deterministic JSON for files meant to be committed and diffed: keys sorted, two-space indent,
/// `"key": value`, no escaped slashes, trailing newline.
public enum CanonicalJSON {
    /// Encodes `value` canonically.
    /// - Throws: ``EncodingFailure`` when the value cannot be encoded; nothing is returned to write then.
    public static func encode(_ value: some Encodable) throws(EncodingFailure) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data: Data
        do {
            data = try encoder.encode(value)
        } catch {
            throw EncodingFailure(type: String(describing: type(of: value)), detail: describe(error))
        }
        return indent(Array(data))
    }

    /// A value that could not be encoded as JSON.
    public struct EncodingFailure: Error, Sendable, Equatable, CustomStringConvertible {
        /// The type that was being encoded.
        public var type: String
        public var detail: String

        public var description: String { "\(type) could not be encoded as JSON: \(detail)" }
    }

    /// Re-indents compact JSON (as `JSONEncoder` with sorted keys writes it) in one pass, without building a tree:
    /// two-space indent, `"key": value`, empty containers as `{}` and `[]`, and a trailing newline.
    static func indent(_ compact: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(compact.count * 2)
        var depth = 0
        var inString = false
        var escaped = false
        var index = 0
        func newline(_ out: inout [UInt8], _ depth: Int) {
            out.append(0x0A)
            out.append(contentsOf: repeatElement(0x20, count: depth * 2))
        }
        while index < compact.count {
            let byte = compact[index]
            if inString {
                out.append(byte)
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
                index += 1
                continue
            }
            switch byte {
            case UInt8(ascii: "\""):
                inString = true
                out.append(byte)
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                let close = byte == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]")
                if index + 1 < compact.count, compact[index + 1] == close {
                    out.append(byte)
                    out.append(close)
                    index += 2
                    continue
                }
                out.append(byte)
                depth += 1
                newline(&out, depth)
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
                newline(&out, depth)
                out.append(byte)
            case UInt8(ascii: ","):
                out.append(byte)
                newline(&out, depth)
            case UInt8(ascii: ":"):
                out.append(byte)
                out.append(0x20)
            case 0x20, 0x0A, 0x0D, 0x09:
                break
            default:
                out.append(byte)
            }
            index += 1
        }
        out.append(0x0A)
        return out
    }

    /// Writes an already-parsed node canonically (keys sorted).
    public static func render(_ node: JSONNode) -> String {
        var out = ""
        write(node, indent: 0, into: &out)
        return out + "\n"
    }

    private static func write(_ node: JSONNode, indent: Int, into out: inout String) {
        let pad = String(repeating: "  ", count: indent + 1)
        let closePad = String(repeating: "  ", count: indent)
        switch node.value {
        case .object(let members):
            if members.isEmpty { out += "{}"; return }
            out += "{\n"
            for (i, member) in members.sorted(by: { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }).enumerated() {
                out += pad + quote(member.key) + ": "
                write(member.value, indent: indent + 1, into: &out)
                out += i == members.count - 1 ? "\n" : ",\n"
            }
            out += closePad + "}"
        case .array(let elements):
            if elements.isEmpty { out += "[]"; return }
            out += "[\n"
            for (i, element) in elements.enumerated() {
                out += pad
                write(element, indent: indent + 1, into: &out)
                out += i == elements.count - 1 ? "\n" : ",\n"
            }
            out += closePad + "]"
        case .string(let s): out += quote(s)
        case .number(let n): out += n
        case .bool(let b): out += b ? "true" : "false"
        case .null: out += "null"
        }
    }

    /// A JSON string literal for `text`.
    public static func quote(_ text: String) -> String {
        var out = ""
        appendQuoted(text, to: &out)
        return out
    }

    /// Appends `quote(text)` to `out`.
    static func appendQuoted(_ text: String, to out: inout String) {
        // Nothing to escape (the common case): the text itself, between quotes.
        if text.allBytes({ $0 >= 0x20 && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }) {
            out += "\""
            out += text
            out += "\""
            return
        }
        appendQuotedByScalars(text, to: &out)
    }

    /// `appendQuoted` scalar by scalar, escaping what JSON requires.
    static func appendQuotedByScalars(_ text: String, to out: inout String) {
        out += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }

    /// A short description of a `DecodingError` (or `EncodingError`) naming the coding path.
    public static func describe(_ error: any Error) -> String {
        if case .invalidValue(_, let context) = error as? EncodingError {
            let path = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return "invalid value at \(path.isEmpty ? "top level" : path): \(context.debugDescription)"
        }
        guard let decoding = error as? DecodingError else { return "\(error)" }
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
        }
        switch decoding {
        case .keyNotFound(let key, let context): return "missing \"\(key.stringValue)\" at \(path(context).isEmpty ? "top level" : path(context))"
        case .typeMismatch(_, let context): return "wrong type at \(path(context)): \(context.debugDescription)"
        case .valueNotFound(_, let context): return "missing value at \(path(context))"
        case .dataCorrupted(let context): return "invalid value at \(path(context)): \(context.debugDescription)"
        @unknown default: return "\(error)"
        }
    }
}
