import Foundation
import Testing

/// `Package.swift` declares macOS, so the sources must build there too: every platform module
/// (`Glibc`, `Darwin`, `Musl`, `FoundationXML`, `FoundationNetworking`) is imported, and used by
/// name, only inside an `#if canImport(...)` of that module, and every `canImport(Glibc)` block
/// has a `canImport(Darwin)` branch. Only Linux builds run here, so this scan is the check.
@Suite struct PortabilityTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let platformModules = ["Glibc", "Darwin", "Musl", "FoundationXML", "FoundationNetworking"]

    /// The problems of one Swift file, as `path:line: message`.
    static func problems(in text: String, path: String) -> [String] {
        var problems: [String] = []
        // The conditions of the enclosing #if/#elseif branches, innermost last, with the line where
        // the group imported Glibc and whether it has another branch (Darwin's, or #else).
        var stack: [(condition: String, glibcImport: Int?, hasAlternative: Bool)] = []
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            let number = index + 1
            if line.hasPrefix("#if ") {
                let condition = String(line.dropFirst(4))
                stack.append((condition, nil, false))
                continue
            }
            if line.hasPrefix("#elseif "), !stack.isEmpty {
                let condition = String(line.dropFirst(8))
                stack[stack.count - 1].condition = condition
                if condition.contains("canImport(Darwin)") { stack[stack.count - 1].hasAlternative = true }
                continue
            }
            if line.hasPrefix("#else"), !stack.isEmpty {
                stack[stack.count - 1].condition = "else"
                stack[stack.count - 1].hasAlternative = true
                continue
            }
            if line.hasPrefix("#endif"), let group = stack.popLast() {
                if let start = group.glibcImport, !group.hasAlternative {
                    problems.append("\(path):\(start): import Glibc has no #elseif canImport(Darwin) branch beside it")
                }
                continue
            }
            if line.hasPrefix("//") { continue }
            for module in platformModules {
                let imports = line == "import \(module)" || line.hasPrefix("import \(module) ") || line.hasPrefix("@preconcurrency import \(module)")
                let usesByName = line.range(of: "\\b\(module)\\.", options: .regularExpression) != nil
                guard imports || usesByName else { continue }
                if imports, module == "Glibc", !stack.isEmpty, stack[stack.count - 1].glibcImport == nil {
                    stack[stack.count - 1].glibcImport = number
                }
                if !stack.contains(where: { $0.condition.contains("canImport(\(module))") }) {
                    problems.append("\(path):\(number): \(module) is \(imports ? "imported" : "used") outside #if canImport(\(module))")
                }
            }
        }
        return problems
    }

    static func swiftFiles() throws -> [String] {
        var files: [String] = []
        for folder in ["Sources", "Tests", "Benchmarks"] {
            let base = root.appendingPathComponent(folder)
            guard let walker = FileManager.default.enumerator(atPath: base.path) else { continue }
            while let relative = walker.nextObject() as? String {
                if relative.hasSuffix(".swift") { files.append("\(folder)/\(relative)") }
            }
        }
        return files.sorted()
    }

    @Test("every platform import and use is guarded, with a Darwin branch beside every Glibc one")
    func sourcesArePortableByConstruction() throws {
        let files = try Self.swiftFiles()
        #expect(files.count > 100, "the scan found only \(files.count) files under \(Self.root.path)")
        var problems: [String] = []
        for file in files {
            let text = try String(contentsOf: Self.root.appendingPathComponent(file), encoding: .utf8)
            problems += Self.problems(in: text, path: file)
        }
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
    }

    @Test("the scan catches an unguarded import, a Glibc-only guard and an unguarded qualified use")
    func scanCatchesEachMistake() {
        let glibc = "Gl" + "ibc"  // spelled apart so that the scan of this file does not find it
        #expect(Self.problems(in: "import Foundation\nimport \(glibc)\n", path: "a.swift") == ["a.swift:2: Glibc is imported outside #if canImport(Glibc)"])
        #expect(Self.problems(in: "#if canImport(Glibc)\nimport \(glibc)\n#endif\n", path: "b.swift") == ["b.swift:2: import Glibc has no #elseif canImport(Darwin) branch beside it"])
        #expect(Self.problems(in: "let n = \(glibc).write(1, nil, 0)\n", path: "c.swift") == ["c.swift:1: Glibc is used outside #if canImport(Glibc)"])
        #expect(Self.problems(in: "#if canImport(Glibc)\nlet fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)\n#else\nlet fd = socket(AF_INET, SOCK_STREAM, 0)\n#endif\n", path: "f.swift").isEmpty)
        #expect(Self.problems(in: "#if canImport(Glibc)\nimport \(glibc)\n#elseif canImport(Darwin)\nimport Darwin\n#endif\n", path: "d.swift").isEmpty)
        #expect(Self.problems(in: "#if canImport(FoundationXML)\nimport FoundationXML\n#endif\n", path: "e.swift").isEmpty)
    }
}
