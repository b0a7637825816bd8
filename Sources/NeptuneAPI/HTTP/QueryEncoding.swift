/// Percent-encoding for the AWS Query protocol, byte-identical to botocore.
///
/// Two encodings exist and both matter:
/// - The request **body** is built by botocore with Python's `urlencode`, i.e. `quote_plus`:
///   `A-Z a-z 0-9 _ . - ~` stay as they are, a space becomes `+`, every other byte of the
///   UTF-8 encoding becomes `%XX` with upper-case hex.
/// - **Query strings** of pre-signed URLs use `botocore.utils.percent_encode` (RFC 3986):
///   the same unreserved set, but a space becomes `%20`.
public enum QueryEncoding {
    /// Encodes parameters as an `application/x-www-form-urlencoded` body, in the given order.
    public static func encode(_ parameters: [(String, String)]) -> String {
        parameters.map { "\(formEncode($0.0))=\(formEncode($0.1))" }.joined(separator: "&")
    }

    /// Encodes parameters as a query string with RFC 3986 percent-encoding, in the given order.
    public static func percentEncodeSequence(_ parameters: [(String, String)]) -> String {
        parameters.map { "\(percentEncode($0.0))=\(percentEncode($0.1))" }.joined(separator: "&")
    }

    /// Form-encodes one value the way Python's `quote_plus` does.
    public static func formEncode(_ value: String) -> String {
        encode(value, spaceAsPlus: true)
    }

    /// Percent-encodes one value the way `botocore.utils.percent_encode` does (RFC 3986).
    public static func percentEncode(_ value: String) -> String {
        encode(value, spaceAsPlus: false)
    }

    private static let hexDigits = Array("0123456789ABCDEF".utf8)

    private static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    private static func encode(_ value: String, spaceAsPlus: Bool) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(value.utf8.count)
        for byte in value.utf8 {
            if isUnreserved(byte) {
                out.append(byte)
            } else if spaceAsPlus && byte == UInt8(ascii: " ") {
                out.append(UInt8(ascii: "+"))
            } else {
                out.append(UInt8(ascii: "%"))
                out.append(hexDigits[Int(byte >> 4)])
                out.append(hexDigits[Int(byte & 0x0F)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
