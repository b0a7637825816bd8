/// How drift findings write values into their sentences and how renderers keep text safe.
enum DriftText {
    /// `key = "value"` for each change's `side`, or `no key` where that side has none; keys that
    /// are not plain (letters, digits and `_ . : / = + - @`) are JSON-quoted, values always are.
    static func tags(_ changes: [DriftTagChange], side: KeyPath<DriftTagChange, String?>) -> String {
        changes.map { change in
            guard let value = change[keyPath: side] else { return "no \(key(change.key))" }
            return "\(key(change.key)) = \(CanonicalJSON.quote(value))"
        }.joined(separator: ", ")
    }

    /// A tag key as text: itself when plain, else JSON-quoted.
    static func key(_ key: String) -> String {
        let plain = !key.isEmpty && key.unicodeScalars.allSatisfy { scalar in
            (scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar))) || "_.:/=+-@".unicodeScalars.contains(scalar)
        }
        return plain ? key : CanonicalJSON.quote(key)
    }

    /// `text` on one line with no control characters: line breaks, tabs, escape and the other C0
    /// and C1 controls (and DEL) become `\n`, `\t`, `\u001b`, ..., so a value cannot break a line
    /// or drive a terminal.
    static func singleLine(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where isControl(scalar):
                out += unicodeEscape(scalar)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// `\u001b`: the scalar as a JSON-style escape (four hex digits at least).
    static func unicodeEscape(_ scalar: Unicode.Scalar) -> String {
        let hex = String(scalar.value, radix: 16)
        return "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }

    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar == "\u{2028}" || scalar == "\u{2029}"
    }
}

/// Elapsed times as people read them: `45s`, `12m`, `6h`, `30h 5m`, `3d 2h`.
enum DriftDuration {
    static func format(_ seconds: Double) -> String {
        let total = Int(seconds.rounded(.down))
        if total < 60 { return "\(max(0, total))s" }
        let minutes = total / 60
        if minutes < 60 { return "\(minutes)m" }
        let hours = minutes / 60, restMinutes = minutes % 60
        if hours < 48 { return restMinutes == 0 ? "\(hours)h" : "\(hours)h \(restMinutes)m" }
        let days = hours / 24, restHours = hours % 24
        return restHours == 0 ? "\(days)d" : "\(days)d \(restHours)h"
    }
}
