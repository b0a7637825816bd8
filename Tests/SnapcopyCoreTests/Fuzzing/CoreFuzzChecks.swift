import Foundation
import SnapcopyCore

/// A property every input must have that one input broke.
struct FuzzViolation: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) {
        self.description = description
    }
}

/// What the core's fuzz targets (`Tests/Fuzz/JSONParser`, `Manifest`, `LockFile`, `Capture`) run
/// on each input.
///
/// `scripts/fuzz` compiles this file into the libFuzzer binaries, and the regression tests
/// (`FuzzRegressionTests`) call the same functions, so a saved input replays exactly as it was
/// found. Each check reads the bytes the way snapcopy does and throws ``FuzzViolation`` when a
/// property fails; a crash or a hang is a failure as well. Public API only: the reader's own
/// interface is what a hostile file meets.
enum CoreFuzzChecks {
    /// The file name the checks give the readers; every error must name it.
    static let fileName = "fuzz-input.json"

    // MARK: - JSON parser

    /// The JSON parser: an error points inside the file; an accepted document is one Foundation's
    /// parser also accepts with the same values, and it survives `CanonicalJSON.render` unchanged.
    static func jsonParser(_ bytes: [UInt8]) throws(FuzzViolation) {
        let node: JSONNode
        do {
            node = try JSONParser.parse(bytes)
        } catch {
            try checkPosition(error.position, in: bytes, what: "syntax error \(error.message)")
            if error.message.isEmpty { throw FuzzViolation("a syntax error without a message") }
            return
        }
        if let text = String(validating: bytes, as: UTF8.self) {
            let fromText: JSONNode
            do { fromText = try JSONParser.parse(text) } catch {
                throw FuzzViolation("the bytes parse but the same text as a String does not: \(error)")
            }
            if fromText != node { throw FuzzViolation("parsing the bytes and the String gives different trees") }
        }
        let rendered = CanonicalJSON.render(node)
        let reparsed: JSONNode
        do { reparsed = try JSONParser.parse(rendered) } catch {
            throw FuzzViolation("CanonicalJSON.render wrote JSON the parser refuses (\(error)): \(rendered.prefix(200))")
        }
        if CanonicalJSON.render(reparsed) != rendered { throw FuzzViolation("render(parse(render(x))) differs from render(x)") }

        // Foundation refuses numbers a Double cannot hold (1e400); snapcopy keeps a number's text.
        if hasNumberBeyondDouble(node) { return }
        let foundation: Any
        do {
            foundation = try JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
        } catch {
            throw FuzzViolation("snapcopy's parser accepts a document Foundation refuses (\(error))")
        }
        if let difference = difference(node, foundation, path: "$") {
            throw FuzzViolation("snapcopy's parser and Foundation's disagree at \(difference)")
        }
    }

    /// `text` without a leading U+FEFF: JSONSerialization drops one written raw at the start of a
    /// string or key (`"\u{FEFF}x"` reads as `"x"`; JSONDecoder and snapcopy keep it), a
    /// difference of Foundation's, found by this target.
    private static func withoutLeadingBOM(_ text: String) -> String {
        text.unicodeScalars.first == "\u{FEFF}" ? String(String.UnicodeScalarView(text.unicodeScalars.dropFirst())) : text
    }

    private static func hasNumberBeyondDouble(_ node: JSONNode) -> Bool {
        switch node.value {
        case .object(let members): members.contains { hasNumberBeyondDouble($0.value) }
        case .array(let elements): elements.contains(where: hasNumberBeyondDouble)
        case .number(let text): !(Double(text)?.isFinite ?? false)
        case .string, .bool, .null: false
        }
    }

    /// The first place where `node` and Foundation's value for the same text differ, if any.
    private static func difference(_ node: JSONNode, _ other: Any, path: String) -> String? {
        switch node.value {
        case .object(let members):
            guard let dictionary = other as? [String: Any] else { return "\(path): object vs \(type(of: other))" }
            guard dictionary.count == members.count else {
                // Keys that differ only by a leading U+FEFF are one key to JSONSerialization.
                if members.contains(where: { $0.key.unicodeScalars.first == "\u{FEFF}" }) { return nil }
                return "\(path): \(members.count) members vs \(dictionary.count)"
            }
            for member in members {
                guard let value = dictionary[member.key] ?? dictionary[withoutLeadingBOM(member.key)] else {
                    return "\(path): key \(CanonicalJSON.quote(member.key)) missing"
                }
                if let found = difference(member.value, value, path: "\(path).\(CanonicalJSON.quote(member.key))") { return found }
            }
            return nil
        case .array(let elements):
            guard let array = other as? [Any] else { return "\(path): array vs \(type(of: other))" }
            guard array.count == elements.count else { return "\(path): \(elements.count) elements vs \(array.count)" }
            for (index, (element, value)) in zip(elements, array).enumerated() {
                if let found = difference(element, value, path: "\(path)[\(index)]") { return found }
            }
            return nil
        case .string(let text):
            guard let string = other as? String else { return "\(path): string vs \(type(of: other))" }
            // Scalar by scalar: String's == would call canonically equivalent texts equal.
            let same = text.unicodeScalars.elementsEqual(string.unicodeScalars)
                || withoutLeadingBOM(text).unicodeScalars.elementsEqual(string.unicodeScalars)
            return same ? nil : "\(path): \(CanonicalJSON.quote(text)) vs \(CanonicalJSON.quote(string))"
        case .number(let text):
            guard let number = other as? NSNumber else { return "\(path): number vs \(type(of: other))" }
            if let integer = Int(text), integer.magnitude < 1 << 53, number.int64Value != Int64(integer) {
                return "\(path): \(text) vs \(number)"
            }
            return nil
        case .bool(let flag):
            return (other as? Bool) == flag ? nil : "\(path): \(flag) vs \(other)"
        case .null:
            return other is NSNull ? nil : "\(path): null vs \(type(of: other))"
        }
    }

    // MARK: - Manifests

    /// The manifest loader (parser, reader, rules): every problem is a diagnostic naming the file,
    /// a place inside it, a message and a fix; a valid manifest gives only well-formed copies.
    static func manifest(_ bytes: [UInt8]) throws(FuzzViolation) {
        for fallbackRegion in [nil, "us-east-1"] {
            let set = ManifestLoader(fallbackRegion: fallbackRegion).load([ManifestSource(path: fileName, contents: bytes)])
            for diagnostic in set.diagnostics {
                guard diagnostic.location.file == fileName else { throw FuzzViolation("a diagnostic names \(diagnostic.location.file)") }
                guard !diagnostic.rule.isEmpty, !diagnostic.message.isEmpty, !diagnostic.fix.isEmpty else {
                    throw FuzzViolation("a diagnostic without a rule, message or fix: \(diagnostic)")
                }
                if let position = diagnostic.location.position { try checkPosition(position, in: bytes, what: diagnostic.rule) }
            }
            guard set.isValid else { continue }
            for copy in set.copies {
                guard SnapshotIdentifier.problems(copy.target).isEmpty else { throw FuzzViolation("a valid manifest yields the bad target \(copy.target)") }
                guard Region.isWellFormed(copy.region) else { throw FuzzViolation("a valid manifest yields the bad region \(copy.region)") }
                guard copy.tags.count < TagRules.maximumCount else { throw FuzzViolation("a valid manifest yields a copy with \(copy.tags.count) tags") }
            }
        }
    }

    // MARK: - Lock file

    /// The lock-file reader: an error names the file and says how to fix it; a file it accepts can
    /// be written back, and what it writes reads back equal and is a fixed point.
    static func lockFile(_ bytes: [UInt8]) throws(FuzzViolation) {
        let lock: LockFile
        do {
            lock = try LockFile.decode(bytes, file: "snapcopy.lock")
        } catch {
            guard error.file == "snapcopy.lock", !error.message.isEmpty, !error.fix.isEmpty else {
                throw FuzzViolation("a lock-file error without file, message or fix: \(error)")
            }
            return
        }
        let written: [UInt8]
        do { written = try lock.encoded() } catch { throw FuzzViolation("an accepted lock file cannot be written back: \(error)") }
        let reread: LockFile
        do { reread = try LockFile.decode(written, file: "snapcopy.lock") } catch {
            throw FuzzViolation("the lock file snapcopy writes does not read back: \(error)")
        }
        guard reread == lock else { throw FuzzViolation("the lock file reads back different from what was written") }
        let rewritten: [UInt8]
        do { rewritten = try reread.encoded() } catch { throw FuzzViolation("the re-read lock file cannot be written: \(error)") }
        guard rewritten == written else { throw FuzzViolation("writing the lock file is not a fixed point") }
    }

    // MARK: - Captures

    /// The capture reader: an error names the file; an accepted capture, rendered again per region
    /// by `LiveStateFile.render`, reads back to the same snapshots (times to the millisecond).
    static func capture(_ bytes: [UInt8]) throws(FuzzViolation) {
        let capture: LiveStateCapture
        do {
            capture = try LiveStateFile.parse(bytes, file: fileName)
        } catch {
            guard error.location.file == fileName, !error.message.isEmpty else { throw FuzzViolation("a capture error without file or message: \(error)") }
            if let position = error.location.position { try checkPosition(position, in: bytes, what: "capture error") }
            return
        }
        let capturedAt = capture.capturedAt ?? Date(timeIntervalSince1970: 1_800_000_000)
        for region in capture.regions.sorted() {
            let snapshots = capture.snapshots.filter { $0.region == region }.sorted { $0.arn.description < $1.arn.description }
            let rendered: [UInt8]
            do { rendered = try LiveStateFile.render(snapshots, region: region, capturedAt: capturedAt) } catch {
                throw FuzzViolation("an accepted capture cannot be rendered for \(region): \(error)")
            }
            let again: LiveStateCapture
            do { again = try LiveStateFile.parse(rendered, file: fileName) } catch {
                throw FuzzViolation("the capture snapcopy renders for \(region) does not read back: \(error)")
            }
            guard let time = again.capturedAt, abs(time.timeIntervalSince(capturedAt)) < 0.001 else {
                throw FuzzViolation("CapturedAt \(Timestamp.format(capturedAt)) reads back as \(again.capturedAt.map(Timestamp.format) ?? "nothing")")
            }
            let reread = again.snapshots.sorted { $0.arn.description < $1.arn.description }
            guard reread.count == snapshots.count else { throw FuzzViolation("\(snapshots.count) snapshots in \(region) read back as \(reread.count)") }
            for (before, after) in zip(snapshots, reread) {
                var normalized = after
                normalized.createTime = before.createTime
                guard normalized == before else { throw FuzzViolation("the snapshot \(before.arn) reads back changed: \(after)") }
                switch (before.createTime, after.createTime) {
                case (nil, nil): break
                case (let a?, let b?) where abs(a.timeIntervalSince(b)) < 0.001: break
                default:
                    throw FuzzViolation("the create time of \(before.arn), \(before.createTime.map { "\($0.timeIntervalSince1970)" } ?? "none"), reads back as \(after.createTime.map { "\($0.timeIntervalSince1970)" } ?? "none")")
                }
            }
        }
    }

    // MARK: - Helpers

    /// Throws unless `position` is a line and column that exist in `bytes` (or just past their end).
    private static func checkPosition(_ position: SourcePosition, in bytes: [UInt8], what: String) throws(FuzzViolation) {
        let lines = bytes.reduce(1) { $0 + ($1 == 0x0A ? 1 : 0) }
        guard position.line >= 1, position.line <= lines, position.column >= 1, position.column <= bytes.count + 1 else {
            throw FuzzViolation("\(what) at \(position), outside a file of \(lines) lines and \(bytes.count) bytes")
        }
    }
}
