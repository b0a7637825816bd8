/// A resource tag: a key and a value.
public struct Tag: Sendable, Hashable, Codable {
    /// The tag key.
    public var key: String
    /// The tag value (may be empty).
    public var value: String

    /// Creates a tag.
    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }
}

extension Tag {
    /// Decodes `<Tag><Key/><Value/></Tag>`; a missing value is the empty string.
    init?(xml node: XMLNode) {
        guard let key = node.string("Key") else { return nil }
        self.init(key: key, value: node.string("Value") ?? "")
    }

    /// Decodes the `<Tag>` members of a `<TagList>` element.
    static func list(xml node: XMLNode?) -> [Tag] {
        node?.children(named: "Tag").compactMap(Tag.init(xml:)) ?? []
    }

    /// Serializes tags as `prefix.Tag.N.Key` / `prefix.Tag.N.Value` (the model's `TagList`
    /// member is named `Tag`).
    static func queryParameters(_ tags: [Tag], prefix: String = "Tags") -> [(String, String)] {
        var parameters: [(String, String)] = []
        for (offset, tag) in tags.enumerated() {
            parameters.append(("\(prefix).Tag.\(offset + 1).Key", tag.key))
            parameters.append(("\(prefix).Tag.\(offset + 1).Value", tag.value))
        }
        return parameters
    }
}
