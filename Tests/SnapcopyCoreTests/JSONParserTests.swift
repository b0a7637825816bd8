import Testing
@testable import SnapcopyCore

@Suite struct JSONParserTests {
    @Test func parsesNestedValuesWithPositions() throws {
        let node = try JSONParser.parse("{\n  \"a\": [1, -2.5e3, true, null],\n  \"b\": \"x\\u00e9\\ud83d\\ude00\"\n}")
        #expect(node.members?.map(\.key) == ["a", "b"])
        #expect(node["a"]?.elements?.count == 4)
        #expect(node["a"]?.position == SourcePosition(line: 2, column: 8))
        #expect(node["b"]?.stringValue == "xé😀")
        #expect(node["a"]?.elements?[1].value == .number("-2.5e3"))
    }

    @Test(arguments: [
        ("{\"a\": 1,}", 1, 9, "trailing comma"),
        ("{\"a\": 1\n \"b\": 2}", 2, 2, "is a comma missing"),
        ("{\"a\": \"x}", 1, 10, "unterminated string"),
        ("{\"a\": 1, \"a\": 2}", 1, 10, "duplicate key \"a\""),
        ("", 1, 1, "empty"),
        ("{\"a\": 01}", 1, 8, "leading zeros"),
        ("{\"a\": tru}", 1, 7, "invalid literal"),
        ("{} x", 1, 4, "after the end"),
        ("{\"é\": ?}", 1, 7, "expected a value"),
    ])
    func reportsSyntaxErrorsWithLineAndColumn(text: String, line: Int, column: Int, fragment: String) {
        #expect {
            _ = try JSONParser.parse(text)
        } throws: { error in
            guard let error = error as? JSONSyntaxError else { return false }
            return error.position == SourcePosition(line: line, column: column) && error.message.contains(fragment)
        }
    }

    @Test func rejectsExcessiveNesting() {
        let deep = String(repeating: "[", count: 600) + String(repeating: "]", count: 600)
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse(deep) }
    }

    @Test func canonicalOutputIsSortedIndentedAndNewlineTerminated() throws {
        let node = try JSONParser.parse("{\"b\": [1, {\"d\": \"/x\", \"c\": null}], \"a\": {}}")
        #expect(CanonicalJSON.render(node) == """
            {
              "a": {},
              "b": [
                1,
                {
                  "c": null,
                  "d": "/x"
                }
              ]
            }

            """)
    }
}

@Suite struct TimestampTests {
    @Test(arguments: [
        ("2026-11-01T03:00:00Z", 1_793_502_000.0),
        ("2026-11-01T03:00:00.5Z", 1_793_502_000.5),
        ("2026-11-01T03:00:00.123456789Z", 1_793_502_000.123456789),
        ("2026-11-01T03:00:00.512000+00:00", 1_793_502_000.512),
        ("2026-11-01T05:00:00+02:00", 1_793_502_000.0),
        ("2026-11-01T03:00:00", 1_793_502_000.0),
    ])
    func parsesAWSTimestamps(text: String, seconds: Double) throws {
        let date = try #require(Timestamp.parse(text))
        #expect(abs(date.timeIntervalSince1970 - seconds) < 0.000_001)
    }

    @Test(arguments: ["", "2026-13-01T00:00:00Z", "2026-11-01", "2026-11-01T03:00:00.1234567890Z", "2026-11-01T03:00:00Zjunk"])
    func rejectsMalformedTimestamps(text: String) {
        #expect(Timestamp.parse(text) == nil)
    }

    @Test func formatsRoundTrip() throws {
        let date = try #require(Timestamp.parse("2026-11-24T22:18:47.250Z"))
        #expect(Timestamp.format(date) == "2026-11-24T22:18:47.250Z")
        #expect(Timestamp.format(try #require(Timestamp.parse("2024-02-29T00:00:00Z"))) == "2024-02-29T00:00:00Z")
    }

    /// Found by the Capture fuzz check's round trip (on a hand-made input): `.9996` used to round to 1000 ms, which was
    /// dropped, writing a time almost a second early.
    @Test func formatCarriesRoundedMillisecondsIntoTheNextSecond() throws {
        #expect(Timestamp.format(try #require(Timestamp.parse("2026-11-20T03:00:59.9996Z"))) == "2026-11-20T03:01:00Z")
        #expect(Timestamp.format(try #require(Timestamp.parse("2026-12-31T23:59:59.99951Z"))) == "2027-01-01T00:00:00Z")
        #expect(Timestamp.format(try #require(Timestamp.parse("2026-11-20T03:00:00.9994Z"))) == "2026-11-20T03:00:00.999Z")
    }

    /// Found by the Capture fuzz check's round trip (on a hand-made input): `format` cannot write these back as four-digit years.
    @Test(arguments: ["0000-01-01T00:00:00+01:00", "9999-12-31T23:59:59.9999Z", "9999-12-31T23:00:00-01:00"])
    func refusesInstantsOutsideFourDigitYears(text: String) {
        #expect(Timestamp.parse(text) == nil)
    }

    @Test(arguments: ["0000-01-01T00:00:00Z", "9999-12-31T23:59:59.999Z"])
    func keepsTheFirstAndLastWritableInstants(text: String) throws {
        #expect(Timestamp.format(try #require(Timestamp.parse(text))) == text)
    }
}
