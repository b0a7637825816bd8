import Foundation

/// A tiny element tree: what the Query API's XML responses decode into before mapping to types.
///
/// Names are local names (any `prefix:` is dropped). `text` is the character data directly
/// inside the element, unmodified; elements with children usually have only whitespace there.
struct XMLNode: Sendable, Equatable {
    var name: String
    var text: String
    var children: [XMLNode]

    init(name: String, text: String = "", children: [XMLNode] = []) {
        self.name = name
        self.text = text
        self.children = children
    }

    /// The first child with this name.
    func child(_ name: String) -> XMLNode? {
        children.first { $0.name == name }
    }

    /// All children with this name, in document order.
    func children(named name: String) -> [XMLNode] {
        children.filter { $0.name == name }
    }

    /// Follows a path of child names.
    func child(path: String...) -> XMLNode? {
        var node: XMLNode? = self
        for name in path { node = node?.child(name) }
        return node
    }

    /// The first element with this name at any depth (depth-first, self included).
    func descendant(_ name: String) -> XMLNode? {
        if self.name == name { return self }
        for child in children {
            if let found = child.descendant(name) { return found }
        }
        return nil
    }

    /// The text of a child, exactly as sent; `nil` when the child is absent.
    func string(_ name: String) -> String? {
        child(name)?.text
    }

    /// The trimmed text of a child, `nil` when absent or empty.
    func trimmed(_ name: String) -> String? {
        guard let text = child(name)?.text.trimmingXMLWhitespace(), !text.isEmpty else { return nil }
        return text
    }

    /// A child parsed as an integer.
    func int(_ name: String) -> Int? {
        trimmed(name).flatMap { Int($0) }
    }

    /// A child parsed as a boolean (`true`/`false`, any case).
    func bool(_ name: String) -> Bool? {
        switch trimmed(name)?.lowercased() {
        case "true": return true
        case "false": return false
        default: return nil
        }
    }

    /// A child parsed as an AWS timestamp.
    func date(_ name: String) -> Date? {
        trimmed(name).flatMap(AWSTimestamp.parse)
    }

    /// The texts of `<List><member>...</member></List>`-style lists.
    func strings(_ listName: String, member: String) -> [String] {
        child(listName)?.children(named: member).map(\.text) ?? []
    }
}

extension String {
    /// Trims the XML whitespace characters: space, tab, CR and LF.
    func trimmingXMLWhitespace() -> String {
        let scalars = unicodeScalars
        let isSpace: (Unicode.Scalar) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let start = scalars.firstIndex(where: { !isSpace($0) }),
              let end = scalars.lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(scalars[start...end])
    }
}
