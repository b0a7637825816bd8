import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// Parses an XML document into an ``XMLNode`` tree with FoundationXML's `XMLParser`.
///
/// `XMLParser.parse()` can report success for an empty body, a truncated document or one
/// with trailing junk, so a document is accepted only when the parser reports no error
/// AND its root element was closed. External entities are never resolved; a document whose
/// DOCTYPE has an internal subset (where entity expansion bombs are declared) is refused
/// before parsing, and elements nested deeper than ``maximumDepth`` stop the parse (the tree
/// is recursive, and so are its copies and comparisons). A body that is not UTF-8 is refused
/// before the parser sees it: AWS answers in UTF-8, and FoundationXML traps on some invalid
/// sequences (an element name that starts with the byte 0xFF, `<\u{FF}0p>`, found by the
/// XMLResponse fuzz target).
enum XMLTreeParser {
    /// Why a body is not an acceptable XML document.
    enum Failure: Error, Equatable {
        case empty
        case malformed(String)
        case unclosedRoot
    }

    /// The deepest element nesting accepted. AWS Query answers nest about 8 deep.
    static let maximumDepth = 64

    /// Parses `data` and returns the root element.
    static func parse(_ data: Data) throws(Failure) -> XMLNode {
        if data.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) { throw .empty }
        guard String(validating: data, as: UTF8.self) != nil else { throw .malformed("the body is not UTF-8") }
        if declaresEntities(data) { throw .malformed("its DOCTYPE declares entities, which no AWS answer has") }
        let parser = XMLParser(data: data)
        let builder = TreeBuilder()
        parser.delegate = builder
        parser.shouldProcessNamespaces = false
        parser.shouldReportNamespacePrefixes = false
        parser.shouldResolveExternalEntities = false
        let succeeded = parser.parse()
        if let error = builder.error { throw .malformed(error) }
        if let error = parser.parserError {
            let code = (error as NSError).code
            if builder.root != nil { throw .malformed("content after the root element") }
            if builder.depth == 0 { throw .malformed("the body does not start with an XML element") }
            // 5: the document ended early; 77: it ended inside a tag.
            if code == 5 || code == 77 { throw .unclosedRoot }
            throw .malformed("XML error \(code) at line \(parser.lineNumber), column \(parser.columnNumber)")
        }
        if !succeeded { throw .malformed("the XML parser stopped") }
        guard let root = builder.root, builder.stack.isEmpty else {
            throw builder.depth == 0 ? .malformed("the body does not start with an XML element") : .unclosedRoot
        }
        return root
    }

    /// Whether a `<!DOCTYPE` with an internal subset (`[`) comes before the first element
    /// (after an optional byte order mark, the XML declaration, processing instructions,
    /// comments and whitespace). A plain `<!DOCTYPE html>` declares nothing and is left to the
    /// parser, so an HTML page is reported as the HTML page it is.
    static func declaresEntities(_ data: Data) -> Bool {
        let bytes = Array(data.prefix(64 * 1024))
        var index = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        func starts(with text: String) -> Bool {
            let pattern = Array(text.utf8)
            return index + pattern.count <= bytes.count && Array(bytes[index..<(index + pattern.count)]) == pattern
        }
        func skip(past text: String) {
            let pattern = Array(text.utf8)
            while index < bytes.count, !starts(with: text) { index += 1 }
            index = min(bytes.count, index + pattern.count)
        }
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D:
                index += 1
            case UInt8(ascii: "<"):
                if starts(with: "<!DOCTYPE") {
                    let rest = bytes[index...]
                    let end = rest.firstIndex(of: UInt8(ascii: ">")) ?? bytes.endIndex
                    return rest[..<end].contains(UInt8(ascii: "["))
                }
                if starts(with: "<?") { skip(past: "?>") } else if starts(with: "<!--") { skip(past: "-->") } else { return false }
            default:
                return false
            }
        }
        return false
    }

    private final class TreeBuilder: NSObject, XMLParserDelegate {
        var stack: [XMLNode] = []
        var root: XMLNode?
        /// Why the builder stopped the parse, if it did.
        var error: String?
        /// The deepest nesting seen.
        var depth = 0

        func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]) {
            guard error == nil else { return }
            if root != nil {
                stop(parser, "content after the root element")
                return
            }
            guard stack.count < XMLTreeParser.maximumDepth else {
                stop(parser, "elements nested deeper than \(XMLTreeParser.maximumDepth)")
                return
            }
            stack.append(XMLNode(name: Self.localName(elementName)))
            depth = max(depth, stack.count)
        }

        private func stop(_ parser: XMLParser, _ reason: String) {
            error = reason
            parser.abortParsing()
        }

        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
            guard error == nil, let node = stack.popLast() else { return }
            if stack.isEmpty {
                root = node
            } else {
                stack[stack.count - 1].children.append(node)
            }
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            guard !stack.isEmpty else { return }
            stack[stack.count - 1].text += string
        }

        func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) {
            guard !stack.isEmpty else { return }
            stack[stack.count - 1].text += String(decoding: CDATABlock, as: UTF8.self)
        }


        static func localName(_ name: String) -> String {
            guard let colon = name.lastIndex(of: ":") else { return name }
            return String(name[name.index(after: colon)...])
        }
    }
}
