import Foundation

/// Parsing and formatting of the ISO 8601 timestamps AWS sends.
///
/// Accepts `2024-05-01T12:34:56Z` with 0 to 9 fractional digits, with `Z`, with a
/// `+hh:mm` / `-hhmm` offset, or with no zone at all (taken as UTC), and a space instead of
/// `T`. Pure arithmetic: no `DateFormatter`, no locale, no time zone database.
public enum AWSTimestamp {
    /// Parses a timestamp; `nil` when it is not one of the accepted forms.
    public static func parse(_ text: String) -> Date? {
        var scanner = Scanner(Array(text.trimmingXMLWhitespace().utf8))
        guard let year = scanner.digits(4), scanner.take("-"),
              let month = scanner.digits(2), scanner.take("-"),
              let day = scanner.digits(2), scanner.take("T") || scanner.take("t") || scanner.take(" "),
              let hour = scanner.digits(2), scanner.take(":"),
              let minute = scanner.digits(2), scanner.take(":"),
              let second = scanner.digits(2)
        else { return nil }
        guard (1...12).contains(month), (1...31).contains(day), hour <= 23, minute <= 59, second <= 60 else { return nil }

        var fraction = 0.0
        if scanner.take(".") {
            var digits = 0
            var count = 0
            while let digit = scanner.digit() {
                count += 1
                guard count <= 9 else { return nil }
                digits = digits * 10 + digit
            }
            guard count > 0 else { return nil }
            fraction = Double(digits) / pow(10, Double(count))
        }

        var offsetSeconds = 0
        if scanner.take("Z") || scanner.take("z") {
            // UTC
        } else if let sign = scanner.sign() {
            guard let hours = scanner.digits(2) else { return nil }
            _ = scanner.take(":")
            guard let minutes = scanner.digits(2), hours <= 23, minutes <= 59 else { return nil }
            offsetSeconds = sign * (hours * 3600 + minutes * 60)
        }
        guard scanner.atEnd else { return nil }

        let days = UTCComponents.days(year: year, month: month, day: day)
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offsetSeconds
        return Date(timeIntervalSince1970: Double(seconds) + fraction)
    }

    /// Formats a date as `2024-05-01T12:34:56Z` (whole seconds, UTC).
    public static func format(_ date: Date) -> String {
        let c = UTCComponents(date)
        return "\(SigV4.pad(c.year, width: 4))-\(SigV4.pad(c.month))-\(SigV4.pad(c.day))T\(SigV4.pad(c.hour)):\(SigV4.pad(c.minute)):\(SigV4.pad(c.second))Z"
    }

    private struct Scanner {
        let bytes: [UInt8]
        var index = 0

        init(_ bytes: [UInt8]) { self.bytes = bytes }

        var atEnd: Bool { index == bytes.count }

        mutating func take(_ character: Character) -> Bool {
            guard let ascii = character.asciiValue, index < bytes.count, bytes[index] == ascii else { return false }
            index += 1
            return true
        }

        mutating func digit() -> Int? {
            guard index < bytes.count, (0x30...0x39).contains(bytes[index]) else { return nil }
            defer { index += 1 }
            return Int(bytes[index] - 0x30)
        }

        mutating func digits(_ count: Int) -> Int? {
            var value = 0
            for _ in 0..<count {
                guard let digit = digit() else { return nil }
                value = value * 10 + digit
            }
            return value
        }

        mutating func sign() -> Int? {
            if take("+") { return 1 }
            if take("-") { return -1 }
            return nil
        }
    }
}
