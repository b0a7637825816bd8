import Foundation
import Testing
@testable import NeptuneAPI

@Suite("AWS timestamps")
struct AWSTimestampTests {
    static let base = 1_714_566_896.0 // 2024-05-01T12:34:56Z

    @Test("0 to 9 fractional digits, Z, offsets, no zone", arguments: [
        ("2024-05-01T12:34:56Z", base),
        ("2024-05-01T12:34:56", base),
        ("2024-05-01 12:34:56Z", base),
        ("2024-05-01T12:34:56.5Z", base + 0.5),
        ("2024-05-01T12:34:56.123Z", base + 0.123),
        ("2024-05-01T12:34:56.123456Z", base + 0.123456),
        ("2024-05-01T12:34:56.123456789Z", base + 0.123456789),
        ("2024-05-01T14:34:56+02:00", base),
        ("2024-05-01T07:04:56-0530", base),
        ("2024-05-01T12:34:56.250+00:00", base + 0.25),
        ("  2024-05-01T12:34:56Z\n", base),
        ("2000-02-29T00:00:00Z", 951_782_400),
        ("1969-12-31T23:59:59Z", -1),
    ])
    func parses(_ text: String, _ expected: Double) throws {
        let date = try #require(AWSTimestamp.parse(text))
        #expect(abs(date.timeIntervalSince1970 - expected) < 1e-6)
    }

    @Test("rejects malformed timestamps", arguments: [
        "", "2024-05-01", "2024-13-01T00:00:00Z", "2024-05-01T24:00:00Z", "2024-05-01T12:34:56.Z",
        "2024-05-01T12:34:56.1234567890Z", "2024-05-01T12:34:56+2", "2024-05-01T12:34:56Zjunk", "1714566896",
    ])
    func rejects(_ text: String) {
        #expect(AWSTimestamp.parse(text) == nil)
    }

    @Test("formats whole seconds in UTC")
    func formats() {
        #expect(AWSTimestamp.format(Date(timeIntervalSince1970: Self.base + 0.9)) == "2024-05-01T12:34:56Z")
        #expect(AWSTimestamp.format(Date(timeIntervalSince1970: 951_782_400)) == "2000-02-29T00:00:00Z")
    }
}
