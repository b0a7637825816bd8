import Foundation

/// ISO 8601 timestamps as AWS writes them: `2026-11-01T03:00:00Z`, `2026-11-01T03:00:00.123456+00:00`,
/// with 0 to 9 fractional digits.
public enum Timestamp {
    /// Parses a timestamp, or returns nil when it is not one.
    ///
    /// An instant that `format` could not write back as a four-digit year (one that an offset
    /// moves before 0000-01-01T00:00:00Z, or one that rounds to 10000-01-01 or later) is refused too,
    /// so a capture or lock file snapcopy reads can always be written again.
    public static func parse(_ text: String) -> Date? {
        let chars = Array(text.utf8)
        func number(_ from: Int, _ count: Int) -> Int? {
            guard from + count <= chars.count else { return nil }
            var value = 0
            for i in from..<(from + count) {
                guard chars[i] >= 48 && chars[i] <= 57 else { return nil }
                value = value * 10 + Int(chars[i] - 48)
            }
            return value
        }
        guard chars.count >= 19, let year = number(0, 4), chars[4] == UInt8(ascii: "-"), let month = number(5, 2),
              chars[7] == UInt8(ascii: "-"), let day = number(8, 2), chars[10] == UInt8(ascii: "T") || chars[10] == UInt8(ascii: " "),
              let hour = number(11, 2), chars[13] == UInt8(ascii: ":"), let minute = number(14, 2),
              chars[16] == UInt8(ascii: ":"), let second = number(17, 2),
              (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        var index = 19
        var fraction = 0.0
        if index < chars.count, chars[index] == UInt8(ascii: ".") {
            index += 1
            var scale = 0.1
            let start = index
            while index < chars.count, chars[index] >= 48, chars[index] <= 57 {
                fraction += Double(chars[index] - 48) * scale
                scale /= 10
                index += 1
            }
            guard index > start, index - start <= 9 else { return nil }
        }
        var offset = 0
        if index == chars.count {
            offset = 0
        } else if chars[index] == UInt8(ascii: "Z") || chars[index] == UInt8(ascii: "z") {
            index += 1
        } else if chars[index] == UInt8(ascii: "+") || chars[index] == UInt8(ascii: "-") {
            let sign = chars[index] == UInt8(ascii: "+") ? 1 : -1
            guard let hours = number(index + 1, 2) else { return nil }
            var minutesAt = index + 3
            if minutesAt < chars.count, chars[minutesAt] == UInt8(ascii: ":") { minutesAt += 1 }
            guard let minutes = number(minutesAt, 2) else { return nil }
            offset = sign * (hours * 3600 + minutes * 60)
            index = minutesAt + 2
        }
        guard index == chars.count else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = Double(days * 86400 + hour * 3600 + minute * 60 + second - offset) + fraction
        guard seconds >= earliest, (seconds * 1000).rounded() < latest * 1000 else { return nil }
        return Date(timeIntervalSince1970: seconds)
    }

    /// 0000-01-01T00:00:00Z and 10000-01-01T00:00:00Z, in seconds since 1970: the instants `format` can write lie between.
    private static let earliest = Double(daysFromCivil(year: 0, month: 1, day: 1) * 86400)
    private static let latest = Double(daysFromCivil(year: 10000, month: 1, day: 1) * 86400)

    /// Formats a date as `2026-11-01T03:00:00Z`, or with milliseconds when it has them.
    public static func format(_ date: Date) -> String {
        // Round to the millisecond first, so that .9996 s carries into the next second.
        let milliseconds = (date.timeIntervalSince1970 * 1000).rounded()
        let whole = Int((milliseconds / 1000).rounded(.down))
        let millis = Int(milliseconds - Double(whole) * 1000)
        var days = whole / 86400
        var rest = whole % 86400
        if rest < 0 { rest += 86400; days -= 1 }
        let (y, m, d) = civilFromDays(days)
        if (0...9999).contains(y) {
            // Every field fits its width: digits written straight into bytes.
            var out: [UInt8] = []
            out.reserveCapacity(24)
            func digits(_ value: Int, _ width: Int) {
                var divisor = 1
                for _ in 1..<width { divisor *= 10 }
                while divisor > 0 {
                    out.append(UInt8(ascii: "0") + UInt8(value / divisor % 10))
                    divisor /= 10
                }
            }
            digits(y, 4); out.append(UInt8(ascii: "-")); digits(m, 2); out.append(UInt8(ascii: "-")); digits(d, 2)
            out.append(UInt8(ascii: "T")); digits(rest / 3600, 2); out.append(UInt8(ascii: ":")); digits(rest % 3600 / 60, 2)
            out.append(UInt8(ascii: ":")); digits(rest % 60, 2)
            if millis > 0 && millis < 1000 { out.append(UInt8(ascii: ".")); digits(millis, 3) }
            out.append(UInt8(ascii: "Z"))
            return String(decoding: out, as: UTF8.self)
        }
        func pad(_ v: Int, _ width: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        var text = "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))T\(pad(rest / 3600, 2)):\(pad(rest % 3600 / 60, 2)):\(pad(rest % 60, 2))"
        if millis > 0 && millis < 1000 { text += ".\(pad(millis, 3))" }
        return text + "Z"
    }

    // Howard Hinnant's civil-date algorithms.
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    static func civilFromDays(_ z: Int) -> (Int, Int, Int) {
        let z = z + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp + (mp < 10 ? 3 : -9)
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}
