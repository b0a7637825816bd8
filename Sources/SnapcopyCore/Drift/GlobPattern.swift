/// A shell-style glob on one name (a region, or a target), compared case-insensitively.
///
/// `*` matches any run of characters (also none), `?` exactly one, `[abc]`, `[a-z]` one of a set,
/// `[!a-z]` or `[^a-z]` one not in it (a `]` right after the `[` or `[!` is a member). There are no
/// escapes: region names and snapshot identifiers never contain glob characters. A `[` without its
/// `]`, a stray `]` and a reversed range (`[z-a]`) are errors.
struct GlobPattern: Sendable, Hashable {
    enum Element: Sendable, Hashable {
        case literal(Character)
        case anyCharacter
        case anyRun
        case set(negated: Bool, members: [Member])
    }

    enum Member: Sendable, Hashable {
        case character(Character)
        case range(Character, Character)

        func contains(_ character: Character) -> Bool {
            switch self {
            case .character(let member): member == character
            case .range(let low, let high): low <= character && character <= high
            }
        }
    }

    /// Why a glob does not parse; `offset` counts characters from the glob's start.
    struct SyntaxError: Error, Sendable, Equatable {
        enum Problem: Sendable, Equatable {
            case unclosedBracket
            case strayBracket
            case reversedRange(String)
        }

        var problem: Problem
        var offset: Int
    }

    let elements: [Element]

    init(_ text: String) throws(SyntaxError) {
        let characters = Array(text.lowercased())
        var elements: [Element] = []
        var index = 0
        while index < characters.count {
            let character = characters[index]
            switch character {
            case "*":
                if elements.last != .anyRun { elements.append(.anyRun) }
                index += 1
            case "?":
                elements.append(.anyCharacter)
                index += 1
            case "]":
                throw SyntaxError(problem: .strayBracket, offset: index)
            case "[":
                let (set, next) = try Self.parseSet(characters, from: index)
                elements.append(set)
                index = next
            default:
                elements.append(.literal(character))
                index += 1
            }
        }
        self.elements = elements
    }

    /// Parses the set that opens at `start`; returns it and the index after its `]`.
    private static func parseSet(_ characters: [Character], from start: Int) throws(SyntaxError) -> (Element, Int) {
        var index = start + 1
        var negated = false
        if index < characters.count, characters[index] == "!" || characters[index] == "^" {
            negated = true
            index += 1
        }
        var members: [Member] = []
        var first = true
        while index < characters.count, first || characters[index] != "]" {
            first = false
            let low = characters[index]
            if index + 2 < characters.count, characters[index + 1] == "-", characters[index + 2] != "]" {
                let high = characters[index + 2]
                guard low <= high else {
                    throw SyntaxError(problem: .reversedRange("\(low)-\(high)"), offset: index)
                }
                members.append(.range(low, high))
                index += 3
            } else {
                members.append(.character(low))
                index += 1
            }
        }
        guard index < characters.count else { throw SyntaxError(problem: .unclosedBracket, offset: start) }
        return (.set(negated: negated, members: members), index + 1)
    }

    /// Whether the whole of `text` matches, case-insensitively.
    func matches(_ text: String) -> Bool {
        let subject = Array(text.lowercased())
        var element = 0, position = 0
        var star: (element: Int, position: Int)?
        while position < subject.count {
            if element < elements.count, elements[element] == .anyRun {
                star = (element, position)
                element += 1
            } else if element < elements.count, Self.matches(elements[element], subject[position]) {
                element += 1
                position += 1
            } else if let last = star {
                // Let the last `*` take one more character and try again from there.
                element = last.element + 1
                position = last.position + 1
                star = (last.element, last.position + 1)
            } else {
                return false
            }
        }
        while element < elements.count, elements[element] == .anyRun { element += 1 }
        return element == elements.count
    }

    private static func matches(_ element: Element, _ character: Character) -> Bool {
        switch element {
        case .literal(let literal): literal == character
        case .anyCharacter: true
        case .anyRun: true
        case .set(let negated, let members): members.contains { $0.contains(character) } != negated
        }
    }
}
