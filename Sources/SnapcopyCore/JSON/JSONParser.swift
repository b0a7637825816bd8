/// A JSON syntax error, with the place it was found.
public struct JSONSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public var position: SourcePosition

    public var description: String { "line \(position.line), column \(position.column): \(message)" }
}

/// A strict RFC 8259 parser that records the position of every value.
///
/// Duplicate keys inside one object are rejected: in a manifest they are always a mistake,
/// and other parsers silently keep one of the two.
public struct JSONParser {
    private let bytes: [UInt8]
    private var index = 0
    private var line = 1
    private var lineStart = 0
    private var depth = 0
    /// A column already counted on the current line, so positions cost O(1) amortised even on one-line documents.
    private var columnCache = (line: 0, index: 0, column: 1)
    private static let maximumDepth = 512
    /// Objects with fewer members than this find a duplicate key by a linear search, cheaper than hashing.
    private static let linearKeySearchLimit = 16

    /// Parses one JSON document; only whitespace may follow it.
    public static func parse(_ text: String) throws(JSONSyntaxError) -> JSONNode {
        var parser = JSONParser(bytes: Array(text.utf8))
        return try parser.parseDocument()
    }

    /// Parses one JSON document from UTF-8 bytes.
    public static func parse(_ bytes: [UInt8]) throws(JSONSyntaxError) -> JSONNode {
        var parser = JSONParser(bytes: bytes)
        return try parser.parseDocument()
    }

    private init(bytes: [UInt8]) {
        self.bytes = bytes
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            index = 3
            lineStart = 3
        }
    }

    private var position: SourcePosition {
        // Columns count characters, not bytes: skip UTF-8 continuation bytes.
        var column = 1
        var i = lineStart
        if columnCache.line == line, columnCache.index >= lineStart, columnCache.index <= index {
            column = columnCache.column
            i = columnCache.index
        }
        while i < index {
            if bytes[i] & 0xC0 != 0x80 { column += 1 }
            i += 1
        }
        return SourcePosition(line: line, column: column)
    }

    /// The current position, remembering it so the next one on the same line is counted from here.
    private mutating func mark() -> SourcePosition {
        let here = position
        columnCache = (line, index, here.column)
        return here
    }

    private func error(_ message: String) -> JSONSyntaxError {
        JSONSyntaxError(message: message, position: position)
    }

    private mutating func parseDocument() throws(JSONSyntaxError) -> JSONNode {
        skipWhitespace()
        if index >= bytes.count { throw error("the file is empty; expected a JSON object") }
        let node = try parseValue()
        skipWhitespace()
        if index < bytes.count {
            throw error("unexpected \(describeCurrent()) after the end of the JSON document")
        }
        return node
    }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0D:
                index += 1
            case 0x0A:
                index += 1
                line += 1
                lineStart = index
            default:
                return
            }
        }
    }

    private func describeCurrent() -> String {
        guard index < bytes.count else { return "end of file" }
        let byte = bytes[index]
        if byte >= 0x20 && byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
        return "byte 0x\(String(byte, radix: 16, uppercase: true))"
    }

    private mutating func parseValue() throws(JSONSyntaxError) -> JSONNode {
        let start = mark()
        guard index < bytes.count else { throw error("unexpected end of file; expected a value") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject(start)
        case UInt8(ascii: "["): return try parseArray(start)
        case UInt8(ascii: "\""): return JSONNode(.string(try parseString()), at: start)
        case UInt8(ascii: "t"): try expectLiteral("true"); return JSONNode(.bool(true), at: start)
        case UInt8(ascii: "f"): try expectLiteral("false"); return JSONNode(.bool(false), at: start)
        case UInt8(ascii: "n"): try expectLiteral("null"); return JSONNode(.null, at: start)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return JSONNode(.number(try parseNumber()), at: start)
        default:
            throw error("unexpected \(describeCurrent()); expected a value (object, array, string, number, true, false or null)")
        }
    }

    private mutating func expectLiteral(_ word: String) throws(JSONSyntaxError) {
        let start = position
        for byte in word.utf8 {
            guard index < bytes.count, bytes[index] == byte else {
                throw JSONSyntaxError(message: "invalid literal; expected '\(word)' (strings need double quotes)", position: start)
            }
            index += 1
        }
    }

    private mutating func enter() throws(JSONSyntaxError) {
        depth += 1
        if depth > Self.maximumDepth { throw error("nesting is deeper than \(Self.maximumDepth) levels") }
    }

    private mutating func parseObject(_ start: SourcePosition) throws(JSONSyntaxError) -> JSONNode {
        try enter()
        defer { depth -= 1 }
        index += 1
        var members: [JSONNode.Member] = []
        // Keys seen, looked up in `members` while the object is small; indexed once it is not.
        var seen: [String: SourcePosition]?
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            return JSONNode(.object(members), at: start)
        }
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
                if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
                    throw error("trailing comma before '}'; remove the last ','")
                }
                throw error("unexpected \(describeCurrent()); expected a key in double quotes")
            }
            let keyPosition = mark()
            let key = try parseString()
            let earlier = seen != nil ? seen?[key] : members.first(where: { $0.key == key })?.keyPosition
            if let first = earlier {
                index -= 1
                throw JSONSyntaxError(
                    message: "duplicate key \"\(key)\" (first defined at line \(first.line), column \(first.column)); keep only one",
                    position: keyPosition)
            }
            if seen != nil {
                seen?[key] = keyPosition
            } else if members.count >= Self.linearKeySearchLimit {
                seen = Dictionary(members.map { ($0.key, $0.keyPosition) }, uniquingKeysWith: { first, _ in first })
                seen?[key] = keyPosition
            }
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else {
                throw error("unexpected \(describeCurrent()); expected ':' after the key \"\(key)\"")
            }
            index += 1
            skipWhitespace()
            let value = try parseValue()
            members.append(JSONNode.Member(key: key, keyPosition: keyPosition, value: value))
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end of file; expected ',' or '}' to close the object opened at line \(start.line), column \(start.column)") }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "}") { index += 1; return JSONNode(.object(members), at: start) }
            throw error("unexpected \(describeCurrent()); expected ',' or '}' (is a comma missing?)")
        }
    }

    private mutating func parseArray(_ start: SourcePosition) throws(JSONSyntaxError) -> JSONNode {
        try enter()
        defer { depth -= 1 }
        index += 1
        var elements: [JSONNode] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            return JSONNode(.array(elements), at: start)
        }
        while true {
            skipWhitespace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
                throw error("trailing comma before ']'; remove the last ','")
            }
            elements.append(try parseValue())
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end of file; expected ',' or ']' to close the array opened at line \(start.line), column \(start.column)") }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "]") { index += 1; return JSONNode(.array(elements), at: start) }
            throw error("unexpected \(describeCurrent()); expected ',' or ']' (is a comma missing?)")
        }
    }

    private mutating func parseNumber() throws(JSONSyntaxError) -> String {
        do {
            return try JSONLexing.number(bytes, at: &index)
        } catch {
            throw self.error(error.message)
        }
    }

    private mutating func parseString() throws(JSONSyntaxError) -> String {
        do {
            return try JSONLexing.string(bytes, at: &index)
        } catch {
            throw self.error(error.message)
        }
    }
}
