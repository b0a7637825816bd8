/// A forward-only JSON reader that builds no tree and keeps no positions: the fast path of a
/// reader whose slow path, ``JSONParser``, explains errors.
///
/// It accepts what ``JSONParser`` accepts, or less, and reads the same values: strings and
/// numbers through the same ``JSONLexing``. Every method returns nil or false at anything it
/// does not accept (a syntax error, nesting as deep as the parser's limit, a duplicate key, or a
/// key with an escape or a byte outside ASCII, whose equality Swift decides by canonical
/// equivalence), and the caller then parses again with ``JSONParser`` to say what and where.
struct JSONFastReader {
    let bytes: [UInt8]
    private(set) var index: Int
    private var depth = 0
    /// The keys of the objects being read, innermost last: one buffer for all, not one per object.
    private var keys: [Range<Int>] = []
    /// Below ``JSONParser``'s limit of 512: anything near it is the parser's to report.
    private static let maximumDepth = 500
    /// Objects with more members are left to the parser, which indexes their keys.
    private static let maximumMembers = 256

    /// A reader at the start of `bytes`, after a UTF-8 byte order mark if there is one.
    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        index = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
    }

    /// Whether only whitespace is left.
    mutating func isAtEnd() -> Bool {
        skipWhitespace()
        return index == bytes.count
    }

    /// Whether the key's bytes are `name`'s.
    func key(_ key: Range<Int>, is name: [UInt8]) -> Bool {
        guard key.count == name.count else { return false }
        var index = key.lowerBound
        for byte in name {
            guard bytes[index] == byte else { return false }
            index += 1
        }
        return true
    }

    private func sameBytes(_ a: Range<Int>, _ b: Range<Int>) -> Bool {
        guard a.count == b.count else { return false }
        var i = a.lowerBound
        var j = b.lowerBound
        while i < a.upperBound {
            guard bytes[i] == bytes[j] else { return false }
            i += 1
            j += 1
        }
        return true
    }

    /// Reads an object, calling `member` with each key's bytes while the reader stands at that
    /// key's value, which `member` must read; false when `member` does, or the object is not one.
    mutating func readObject(_ member: (inout JSONFastReader, Range<Int>) -> Bool) -> Bool {
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "{"), depth < Self.maximumDepth else { return false }
        depth += 1
        defer { depth -= 1 }
        index += 1
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            return true
        }
        let firstKey = keys.count
        defer { keys.removeSubrange(firstKey...) }
        while true {
            skipWhitespace()
            guard let key = readKey(), keys.count - firstKey < Self.maximumMembers else { return false }
            for earlier in firstKey..<keys.count where sameBytes(keys[earlier], key) { return false }
            keys.append(key)
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return false }
            index += 1
            guard member(&self, key) else { return false }
            skipWhitespace()
            guard index < bytes.count else { return false }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "}") { index += 1; return true }
            return false
        }
    }

    /// Reads an array, calling `element` with the reader standing at each element, which
    /// `element` must read; false when `element` does, or the array is not one.
    mutating func readArray(_ element: (inout JSONFastReader) -> Bool) -> Bool {
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "["), depth < Self.maximumDepth else { return false }
        depth += 1
        defer { depth -= 1 }
        index += 1
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            return true
        }
        while true {
            guard element(&self) else { return false }
            skipWhitespace()
            guard index < bytes.count else { return false }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "]") { index += 1; return true }
            return false
        }
    }

    /// One scalar value, or a container that the caller reads with ``readObject(_:)`` or ``readArray(_:)``.
    enum Token: Equatable {
        case string(String)
        case number(String)
        case bool(Bool)
        case null
        case object
        case array
    }

    /// Reads a scalar value; for an object or an array, says which and leaves the reader at it.
    mutating func readToken() -> Token? {
        skipWhitespace()
        guard index < bytes.count else { return nil }
        switch bytes[index] {
        case UInt8(ascii: "\""):
            guard let text = try? JSONLexing.string(bytes, at: &index) else { return nil }
            return .string(text)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            guard let text = try? JSONLexing.number(bytes, at: &index) else { return nil }
            return .number(text)
        case UInt8(ascii: "t"): return literal(Self.trueBytes) ? .bool(true) : nil
        case UInt8(ascii: "f"): return literal(Self.falseBytes) ? .bool(false) : nil
        case UInt8(ascii: "n"): return literal(Self.nullBytes) ? .null : nil
        case UInt8(ascii: "{"): return .object
        case UInt8(ascii: "["): return .array
        default: return nil
        }
    }

    /// Reads and discards one value of any kind, checking it as the parser would.
    mutating func skipValue() -> Bool {
        switch readToken() {
        case nil: false
        case .object: readObject { reader, _ in reader.skipValue() }
        case .array: readArray { reader in reader.skipValue() }
        case .string, .number, .bool, .null: true
        }
    }

    // MARK: - Lexing

    private static let trueBytes = Array("true".utf8)
    private static let falseBytes = Array("false".utf8)
    private static let nullBytes = Array("null".utf8)

    private mutating func literal(_ word: [UInt8]) -> Bool {
        guard index + word.count <= bytes.count, bytes[index..<(index + word.count)].elementsEqual(word) else { return false }
        index += word.count
        return true
    }

    /// A key's bytes, between its quotes, when it is plain ASCII without escapes.
    private mutating func readKey() -> Range<Int>? {
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { return nil }
        let start = index + 1
        var end = start
        while end < bytes.count {
            let byte = bytes[end]
            if byte == UInt8(ascii: "\"") {
                index = end + 1
                return start..<end
            }
            guard byte >= 0x20, byte < 0x80, byte != UInt8(ascii: "\\") else { return nil }
            end += 1
        }
        return nil
    }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0D, 0x0A: index += 1
            default: return
            }
        }
    }
}
