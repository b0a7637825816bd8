/// A position in a text file, counted from 1.
public struct SourcePosition: Sendable, Hashable, Codable, CustomStringConvertible {
    public var line: Int
    public var column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    public var description: String { "\(line):\(column)" }
}

/// A parsed JSON value that remembers where it stood in its file.
///
/// snapcopy parses manifests with its own small parser so that every error can name
/// the line and column, duplicate keys are caught, and object keys keep their order.
public struct JSONNode: Sendable, Equatable {
    /// The value itself.
    public indirect enum Value: Sendable, Equatable {
        case object([Member])
        case array([JSONNode])
        case string(String)
        /// The number's text as written, so that `1` and `1.0` stay distinguishable.
        case number(String)
        case bool(Bool)
        case null
    }

    /// One `"key": value` pair of an object.
    public struct Member: Sendable, Equatable {
        public var key: String
        public var keyPosition: SourcePosition
        public var value: JSONNode
    }

    public var value: Value
    public var position: SourcePosition

    public init(_ value: Value, at position: SourcePosition) {
        self.value = value
        self.position = position
    }

    /// The JSON type name used in messages: `object`, `array`, `string`, `number`, `boolean`, `null`.
    public var typeName: String {
        switch value {
        case .object: "object"
        case .array: "array"
        case .string: "string"
        case .number: "number"
        case .bool: "boolean"
        case .null: "null"
        }
    }

    public var stringValue: String? {
        if case .string(let s) = value { return s }
        return nil
    }

    public var boolValue: Bool? {
        if case .bool(let b) = value { return b }
        return nil
    }

    public var members: [Member]? {
        if case .object(let m) = value { return m }
        return nil
    }

    public var elements: [JSONNode]? {
        if case .array(let a) = value { return a }
        return nil
    }

    /// The value of `key` when this node is an object that has it.
    public subscript(key: String) -> JSONNode? {
        members?.first(where: { $0.key == key })?.value
    }

    /// The value as plain Foundation-free Swift data, for consumers that want `Any`-free trees.
    public var integerValue: Int? {
        if case .number(let text) = value { return Int(text) }
        return nil
    }
}
