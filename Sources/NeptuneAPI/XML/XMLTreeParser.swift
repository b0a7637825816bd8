import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// Parses an XML document into an ``XMLNode`` tree with FoundationXML's `XMLParser`.
///
/// `XMLParser.parse()` can report success for an empty body, a truncated document or one
/// with trailing junk, so a document is accepted only when the parser reports no error
/// AND its root element was closed. External entities are never resolved. A body that is not
/// UTF-8 is refused before the parser sees it: AWS answers in UTF-8, and FoundationXML traps on
/// some invalid sequences (an element name that starts with the byte 0xFF, `<\u{FF}0p>`, found by
/// the XMLResponse fuzz target).
enum XMLTreeParser {
    /// Why a body is not an acceptable XML document.
    enum Failure: Error, Equatable {
        case empty
        case malformed(String)
        case unclosedRoot
        case unexpectedRoot(String)
    }

    /// Parses `data` and returns the root element.
    static func parse(_ data: Data) throws(Failure) -> XMLNode {
        if data.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) { throw .empty }
        guard String(validating: data, as: UTF8.self) != nil else { throw .malformed("the body is not UTF-8") }
        let parser = XMLParser(data: data)
        let builder = TreeBuilder()
        parser.delegate = builder
        parser.shouldProcessNamespaces = false
        parser.shouldReportNamespacePrefixes = false
        parser.shouldResolveExternalEntities = false
        let succeeded = parser.parse()
        if let error = parser.parserError ?? builder.error {
            throw .malformed((error as NSError).localizedDescription)
        }
        if !succeeded { throw .malformed("the XML parser stopped") }
        guard let root = builder.root, builder.stack.isEmpty else { throw .unclosedRoot }
        return root
    }

    /// Parses `data` and checks that the root element is `expectedRoot`.
    static func parse(_ data: Data, expectedRoot: String) throws(Failure) -> XMLNode {
        let root = try parse(data)
        guard root.name == expectedRoot else { throw .unexpectedRoot(root.name) }
        return root
    }

    private final class TreeBuilder: NSObject, XMLParserDelegate {
        var stack: [XMLNode] = []
        var root: XMLNode?
        var error: Error?

        func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]) {
            if root != nil {
                error = NSError(domain: "XMLTreeParser", code: 1, userInfo: [NSLocalizedDescriptionKey: "content after the root element"])
                parser.abortParsing()
                return
            }
            stack.append(XMLNode(name: Self.localName(elementName)))
        }

        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
            guard let node = stack.popLast() else { return }
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

        func parser(_ parser: XMLParser, parseErrorOccurred parseError: Error) {
            if error == nil { error = parseError }
        }

        static func localName(_ name: String) -> String {
            guard let colon = name.lastIndex(of: ":") else { return name }
            return String(name[name.index(after: colon)...])
        }
    }
}
