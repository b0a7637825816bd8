import Foundation

/// Reads a page's pagination marker off the raw response body, before the page is decoded, so the
/// next page can be requested while this one decodes (see ``NeptuneClient/describeDBClusterSnapshots(_:)``).
///
/// It accepts a `<Marker>` only where it is unambiguously a child of the result element: its first
/// child (where AWS puts it) or its last (where some emulators do), holding plain text (no markup,
/// no entity references). Anything else reads as "no marker", which only means the next page is
/// requested after decoding, as without this. The decoded page stays the truth: a page requested
/// with a marker it does not carry is discarded.
enum EarlyMarker {
    /// The marker of a page of `action`'s answer, or nil when it cannot be read off unambiguously.
    static func read(_ body: Data, action: String) -> String? {
        let open = body.range(of: Data("<\(action)Result>".utf8))
        let close = body.range(of: Data("</\(action)Result>".utf8), options: .backwards)
        return body.withUnsafeBytes { raw in
            let bytes = raw.bindMemory(to: UInt8.self)
            if let open, let text = leadingMarker(bytes, from: open.upperBound - body.startIndex) {
                return text
            }
            if let close, let text = trailingMarker(bytes, before: close.lowerBound - body.startIndex) {
                return text
            }
            return nil
        }
    }

    private static let markerOpen = Array("<Marker>".utf8)
    private static let markerClose = Array("</Marker>".utf8)

    /// `<Marker>text</Marker>` as the first thing after `index`, whitespace aside.
    private static func leadingMarker(_ bytes: UnsafeBufferPointer<UInt8>, from index: Int) -> String? {
        var index = index
        while index < bytes.count, isWhitespace(bytes[index]) { index += 1 }
        guard hasPrefix(markerOpen, in: bytes, at: index) else { return nil }
        let textStart = index + markerOpen.count
        var textEnd = textStart
        while textEnd < bytes.count, bytes[textEnd] != UInt8(ascii: "<") { textEnd += 1 }
        guard hasPrefix(markerClose, in: bytes, at: textEnd) else { return nil }
        return text(bytes, textStart..<textEnd)
    }

    /// `<Marker>text</Marker>` as the last thing before `end`, whitespace aside.
    private static func trailingMarker(_ bytes: UnsafeBufferPointer<UInt8>, before end: Int) -> String? {
        var index = end
        while index > 0, isWhitespace(bytes[index - 1]) { index -= 1 }
        let textEnd = index - markerClose.count
        guard textEnd >= 0, hasPrefix(markerClose, in: bytes, at: textEnd) else { return nil }
        var textStart = textEnd
        while textStart > 0, bytes[textStart - 1] != UInt8(ascii: ">") {
            if bytes[textStart - 1] == UInt8(ascii: "<") { return nil }
            textStart -= 1
        }
        guard textStart >= markerOpen.count, hasPrefix(markerOpen, in: bytes, at: textStart - markerOpen.count) else { return nil }
        return text(bytes, textStart..<textEnd)
    }

    /// The trimmed text, or nil when it is empty, holds an entity reference, or is not UTF-8.
    private static func text(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> String? {
        var range = range
        while let first = range.first, isWhitespace(bytes[first]) { range = range.dropFirst() }
        while let last = range.last, isWhitespace(bytes[last]) { range = range.dropLast() }
        guard !range.isEmpty, !bytes[range].contains(UInt8(ascii: "&")) else { return nil }
        return String(validating: bytes[range], as: UTF8.self)
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }

    private static func hasPrefix(_ pattern: [UInt8], in bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> Bool {
        guard index >= 0, index + pattern.count <= bytes.count else { return false }
        for offset in pattern.indices where bytes[index + offset] != pattern[offset] { return false }
        return true
    }
}
