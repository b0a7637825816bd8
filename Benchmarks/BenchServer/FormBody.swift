import Foundation

/// An `application/x-www-form-urlencoded` body (or query string) as the Query protocol sends it.
struct FormBody {
    /// The last value given for each name.
    private(set) var values: [String: String] = [:]

    init(_ text: Substring) {
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = Self.decode(parts[0])
            values[name] = parts.count > 1 ? Self.decode(parts[1]) : ""
        }
    }

    subscript(_ name: String) -> String? { values[name] }

    /// `Tags.Tag.N.Key` / `Tags.Tag.N.Value` (and `Tags.member.N.…`, as some SDKs send), in N order.
    func tags(prefix: String = "Tags") -> [(String, String)] {
        var keys: [Int: String] = [:]
        var tagValues: [Int: String] = [:]
        for (name, value) in values where name.hasPrefix(prefix + ".") {
            let parts = name.split(separator: ".")
            guard parts.count == 4, let index = Int(parts[2]) else { continue }
            if parts[3] == "Key" { keys[index] = value } else if parts[3] == "Value" { tagValues[index] = value }
        }
        return keys.keys.sorted().compactMap { index in keys[index].map { ($0, tagValues[index] ?? "") } }
    }

    /// `TagKeys.member.N`, in N order.
    func list(_ prefix: String) -> [String] {
        var items: [Int: String] = [:]
        for (name, value) in values where name.hasPrefix(prefix + ".") {
            if let index = name.split(separator: ".").last.flatMap({ Int($0) }) { items[index] = value }
        }
        return items.keys.sorted().compactMap { items[$0] }
    }

    /// Percent-decoding with `+` as a space (Python's `unquote_plus`).
    static func decode(_ text: Substring) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "+"):
                bytes.append(UInt8(ascii: " "))
            case UInt8(ascii: "%"):
                if let high = iterator.next(), let low = iterator.next(), let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16) {
                    bytes.append(value)
                }
            default:
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
