/// An ISO 8601 duration of weeks, days, hours, minutes and seconds: `P7D`, `PT26H`, `P1DT12H`, `P2W`.
///
/// Years and months are refused: their length varies, and a retention or RPO must be exact.
public struct ISODuration: Sendable, Hashable, CustomStringConvertible {
    /// The duration in seconds.
    public var seconds: Int
    /// As written.
    public var text: String

    /// Parses `text`, or says what is wrong with it.
    public static func parse(_ text: String) -> Result<ISODuration, IdentifierError> {
        let upper = text.uppercased()
        func failure(_ why: String) -> Result<ISODuration, IdentifierError> {
            .failure(IdentifierError("\"\(text)\" is not an ISO 8601 duration such as P7D, PT26H or P1DT12H: \(why)"))
        }
        guard upper.hasPrefix("P"), upper.count > 1 else { return failure("it must start with P") }
        var seconds = 0
        var number = ""
        var inTime = false
        var sawUnit = false
        var sawTimeUnit = false
        for character in upper.dropFirst() {
            if character.isASCII && character.isNumber {
                number.append(character)
                continue
            }
            if character == "T" {
                guard !inTime, number.isEmpty else { return failure("T appears twice or after a number without a unit") }
                inTime = true
                continue
            }
            guard let value = Int(number) else { return failure("a number must come before each unit") }
            number = ""
            sawUnit = true
            if inTime { sawTimeUnit = true }
            let (product, overflow): (Int, Bool)
            switch (character, inTime) {
            case ("W", false): (product, overflow) = value.multipliedReportingOverflow(by: 604_800)
            case ("D", false): (product, overflow) = value.multipliedReportingOverflow(by: 86_400)
            case ("H", true): (product, overflow) = value.multipliedReportingOverflow(by: 3_600)
            case ("M", true): (product, overflow) = value.multipliedReportingOverflow(by: 60)
            case ("S", true): (product, overflow) = (value, false)
            case ("Y", false), ("M", false):
                return failure("years and months vary in length; give days or weeks (P30D, P4W)")
            default:
                return failure("\"\(character)\" is not a unit here (W and D before T; H, M and S after it)")
            }
            let (sum, sumOverflow) = seconds.addingReportingOverflow(product)
            guard !overflow, !sumOverflow else { return failure("it is too long") }
            seconds = sum
        }
        guard number.isEmpty else { return failure("the number \(number) has no unit") }
        guard sawUnit else { return failure("it has no value") }
        guard !inTime || sawTimeUnit else { return failure("T must be followed by hours, minutes or seconds") }
        guard seconds > 0 else { return failure("it must be longer than zero") }
        return .success(ISODuration(seconds: seconds, text: text))
    }

    public var description: String { text }
}
