import Testing
@testable import NeptuneAPI

@Suite("Query protocol encoding")
struct QueryEncodingTests {
    /// A value with every awkward class of character: space, `+ / = &`, `~ *`, quotes,
    /// parentheses, Latin-1, a symbol and CJK.
    static let tricky = "a b+c/d=e&f~g*h\u{e9}\u{2603}\u{65e5}\u{672c}'!()"

    @Test("form body bytes equal botocore's urlencode (checked-in vector)")
    func formEncodingMatchesBotocore() {
        #expect(QueryEncoding.encode([("Tags.Tag.1.Value", Self.tricky)]) == BotocoreVectors.formEncodedTricky)
    }

    @Test("form encoding: space is +, ~ stays, * is escaped, hex is upper-case")
    func formRules() {
        #expect(QueryEncoding.formEncode(" ~*-_.") == "+~%2A-_.")
        #expect(QueryEncoding.formEncode("\u{e9}") == "%C3%A9")
        #expect(QueryEncoding.encode([("A", ""), ("B", "x y")]) == "A=&B=x+y")
    }

    @Test("RFC 3986 encoding: space is %20, + is escaped")
    func percentRules() {
        #expect(QueryEncoding.percentEncode("a b+c~") == "a%20b%2Bc~")
        #expect(QueryEncoding.percentEncodeSequence([("X-Amz-Credential", "AKID/20240501/us-east-1/rds/aws4_request")]) == "X-Amz-Credential=AKID%2F20240501%2Fus-east-1%2Frds%2Faws4_request")
    }
}
