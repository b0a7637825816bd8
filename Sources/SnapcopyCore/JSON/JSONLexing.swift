/// The JSON tokens whose grammar both readers share: strings and numbers.
///
/// ``JSONParser`` (which explains errors with a position) and ``JSONFastReader`` (which keeps no
/// positions) scan them with these same functions, so the two cannot disagree on what a string
/// or a number is. On failure `index` is left where ``JSONParser`` reports the error.
enum JSONLexing {
    /// Why a token is malformed; the position is wherever `index` was left.
    struct Failure: Error {
        var message: String
    }

    /// Decodes the string whose opening quote is at `index`, leaving `index` past the closing quote.
    static func string(_ bytes: [UInt8], at index: inout Int) throws(Failure) -> String {
        index += 1
        var scalars = String.UnicodeScalarView()
        var runStart = index
        /// The bits of every byte since `runStart` or'ed: below 0x80, the run is ASCII.
        var high: UInt8 = 0
        func flush(_ scalars: inout String.UnicodeScalarView, upTo end: Int) throws(Failure) {
            guard runStart < end else { return }
            guard let text = Self.text(bytes[runStart..<end], isASCII: false) else {
                throw Failure(message: "the string is not valid UTF-8")
            }
            scalars.append(contentsOf: text.unicodeScalars)
        }
        while true {
            guard index < bytes.count else { throw Failure(message: "unterminated string; add the closing '\"'") }
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                if scalars.isEmpty {
                    // No escape (the common case): the string is the one run, decoded in one step.
                    guard let text = Self.text(bytes[runStart..<index], isASCII: high < 0x80) else {
                        throw Failure(message: "the string is not valid UTF-8")
                    }
                    index += 1
                    return text
                }
                try flush(&scalars, upTo: index)
                index += 1
                return String(scalars)
            case UInt8(ascii: "\\"):
                try flush(&scalars, upTo: index)
                index += 1
                guard index < bytes.count else { throw Failure(message: "unterminated escape sequence") }
                let escape = bytes[index]
                index += 1
                switch escape {
                case UInt8(ascii: "\""): scalars.append("\"")
                case UInt8(ascii: "\\"): scalars.append("\\")
                case UInt8(ascii: "/"): scalars.append("/")
                case UInt8(ascii: "b"): scalars.append("\u{08}")
                case UInt8(ascii: "f"): scalars.append("\u{0C}")
                case UInt8(ascii: "n"): scalars.append("\n")
                case UInt8(ascii: "r"): scalars.append("\r")
                case UInt8(ascii: "t"): scalars.append("\t")
                case UInt8(ascii: "u"):
                    let first = try hex4(bytes, at: &index)
                    if (0xD800...0xDBFF).contains(first) {
                        guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                            throw Failure(message: "unpaired UTF-16 surrogate in \\u escape")
                        }
                        index += 2
                        let second = try hex4(bytes, at: &index)
                        guard (0xDC00...0xDFFF).contains(second) else { throw Failure(message: "invalid UTF-16 surrogate pair") }
                        let value = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
                        guard let scalar = Unicode.Scalar(value) else { throw Failure(message: "invalid \\u escape") }
                        scalars.append(scalar)
                    } else {
                        guard let scalar = Unicode.Scalar(first) else { throw Failure(message: "unpaired UTF-16 surrogate in \\u escape") }
                        scalars.append(scalar)
                    }
                default:
                    index -= 1
                    throw Failure(message: "invalid escape sequence '\\\(Character(Unicode.Scalar(escape)))'")
                }
                runStart = index
            case 0x00..<0x20:
                throw Failure(message: byte == 0x0A ? "unterminated string (a line break inside a string must be written \\n)" : "control character inside a string must be escaped")
            default:
                high |= byte
                index += 1
            }
        }
    }

    /// The bytes as text when they are valid UTF-8. ASCII (known, or found here) is decoded
    /// without the validation, which the generic `String(validating:as:)` runs unspecialized.
    private static func text(_ bytes: ArraySlice<UInt8>, isASCII: Bool) -> String? {
        if isASCII || bytes.allSatisfy({ $0 < 0x80 }) { return String(decoding: bytes, as: UTF8.self) }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hex4(_ bytes: [UInt8], at index: inout Int) throws(Failure) -> UInt32 {
        guard index + 4 <= bytes.count else { throw Failure(message: "invalid \\u escape: expected four hex digits") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw Failure(message: "invalid \\u escape: expected four hex digits")
            }
            value = value * 16 + digit
            index += 1
        }
        return value
    }

    /// Scans the number that starts at `index` (a `-` or a digit), returning its text as written.
    static func number(_ bytes: [UInt8], at index: inout Int) throws(Failure) -> String {
        let begin = index
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        func digits(_ index: inout Int) -> Int {
            var count = 0
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) {
                index += 1
                count += 1
            }
            return count
        }
        guard index < bytes.count else { throw Failure(message: "invalid number") }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
            if index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) {
                throw Failure(message: "invalid number: leading zeros are not allowed")
            }
        } else if digits(&index) == 0 {
            throw Failure(message: "invalid number")
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            if digits(&index) == 0 { throw Failure(message: "invalid number: expected digits after '.'") }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            if digits(&index) == 0 { throw Failure(message: "invalid number: expected digits in the exponent") }
        }
        return String(decoding: bytes[begin..<index], as: UTF8.self)
    }
}
