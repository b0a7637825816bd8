/// Reads one parsed manifest into desired copies, collecting diagnostics as it goes.
struct ManifestReader {
    let file: String
    let fallbackRegion: String?
    private(set) var diagnostics: [Diagnostic] = []
    /// The rules read, in file order.
    var rules: [CopyRule] = []

    init(file: String, fallbackRegion: String?) {
        self.file = file
        self.fallbackRegion = fallbackRegion
    }

    static let rootKeys = ["$schema", "version", "defaults", "copies", "rules"]
    static let defaultsKeys = ["region", "kmsKeyId", "copyTags", "tags", "deletionPolicy", "ignoreTagKeys", "roleArn"]
    static let entryKeys = ["source", "target", "region", "kmsKeyId", "copyTags", "tags", "deletionPolicy", "roleArn"]

    /// The values `defaults` supplies to each entry.
    struct Defaults {
        var region: String?
        var kmsKeyID: String?
        var copyTags: Bool?
        var tags = Tags()
        var deletionPolicy: DeletionPolicy?
        var ignoreTagKeys: [String] = []
        var roleARN: String?
    }

    mutating func read(_ root: JSONNode) -> [DesiredCopy] {
        guard root.members != nil else {
            report(root, "", rule: "wrong-type", "a manifest must be a JSON object, not \(article(root.typeName))",
                   fix: "write {\"version\": 1, \"copies\": [ ... ]}")
            return []
        }
        let numericVersion: Bool = { if case .number? = root["version"]?.value { true } else { false } }()
        if root["copies"] == nil && root["rules"] == nil && !numericVersion {
            report(root, "", rule: "not-a-manifest",
                   "this JSON file is not a snapcopy manifest: it has no \"copies\" or \"rules\" and no numeric \"version\"",
                   fix: "give manifest files only: move other JSON files (package.json, captures) out of the manifests folder, or name the manifest files themselves")
            return []
        }
        checkKeys(root, path: "", allowed: Self.rootKeys)
        guard let version = root["version"] else {
            report(root, "version", rule: "missing-field", "the required field \"version\" is missing",
                   fix: "add \"version\": 1 at the top of the file")
            return []
        }
        guard let number = version.integerValue else {
            let shown: String
            if case .number(let text) = version.value { shown = text } else { shown = article(version.typeName) }
            report(version, "version", rule: "wrong-type", "\"version\" must be a whole number such as 1, not \(shown)",
                   fix: "write \"version\": 1")
            return []
        }
        guard number == ManifestLoader.supportedVersion else {
            report(version, "version", rule: "unsupported-version",
                   "manifest version \(number) is not supported; this snapcopy reads version \(ManifestLoader.supportedVersion)",
                   fix: number > ManifestLoader.supportedVersion
                       ? "upgrade snapcopy, or rewrite the manifest in version \(ManifestLoader.supportedVersion)"
                       : "write \"version\": \(ManifestLoader.supportedVersion)")
            return []
        }
        if let schema = root["$schema"], schema.stringValue == nil {
            report(schema, "$schema", rule: "wrong-type", "\"$schema\" must be a string", fix: "give the schema's path or URL as a string")
        }
        let defaults = readDefaults(root["defaults"])
        rules = readRules(root["rules"], defaults: defaults)
        guard let copies = root["copies"] else {
            if root["rules"] != nil { return [] }
            report(root, "copies", rule: "missing-field", "the required field \"copies\" (or \"rules\") is missing",
                   fix: "add \"copies\": [ ... ] listing the snapshot copies, or \"rules\": [ ... ] (either may be empty)")
            return []
        }
        guard let entries = copies.elements else {
            report(copies, "copies", rule: "wrong-type", "\"copies\" must be an array, not \(article(copies.typeName))",
                   fix: "write \"copies\": [ {\"source\": ..., \"target\": ...} ]")
            return []
        }
        return entries.enumerated().compactMap { index, entry in
            readEntry(entry, path: "copies[\(index)]", defaults: defaults)
        }
    }

    // MARK: - Sections

    mutating func readDefaults(_ node: JSONNode?) -> Defaults {
        var defaults = Defaults()
        guard let node else { return defaults }
        guard node.members != nil else {
            report(node, "defaults", rule: "wrong-type", "\"defaults\" must be an object, not \(article(node.typeName))",
                   fix: "write \"defaults\": {\"region\": \"us-west-2\", ...}")
            return defaults
        }
        checkKeys(node, path: "defaults", allowed: Self.defaultsKeys)
        if let region = string(node, "region", in: "defaults") {
            defaults.region = checkedRegion(region, node["region"], path: "defaults.region")
        }
        if let key = string(node, "kmsKeyId", in: "defaults") {
            defaults.kmsKeyID = checkedKMSKey(key, node["kmsKeyId"], path: "defaults.kmsKeyId", region: defaults.region)
        }
        defaults.copyTags = bool(node, "copyTags", in: "defaults")
        defaults.tags = tags(node["tags"], path: "defaults.tags") ?? Tags()
        defaults.deletionPolicy = deletionPolicy(node, in: "defaults")
        defaults.roleARN = roleARN(node, in: "defaults")
        if let keys = node["ignoreTagKeys"] {
            if let elements = keys.elements, elements.allSatisfy({ $0.stringValue != nil }) {
                defaults.ignoreTagKeys = elements.compactMap(\.stringValue)
            } else {
                report(keys, "defaults.ignoreTagKeys", rule: "wrong-type", "\"ignoreTagKeys\" must be an array of strings",
                       fix: "write \"ignoreTagKeys\": [\"owner\", \"cost-center\"]")
            }
        }
        return defaults
    }

    private mutating func readEntry(_ node: JSONNode, path: String, defaults: Defaults) -> DesiredCopy? {
        guard node.members != nil else {
            report(node, path, rule: "wrong-type", "each copy must be an object, not \(article(node.typeName))",
                   fix: "write {\"source\": \"...\", \"target\": \"...\"}")
            return nil
        }
        let errorsBefore = diagnostics.count
        checkKeys(node, path: path, allowed: Self.entryKeys)

        let target = requiredString(node, "target", in: path,
                                    fix: "add \"target\": the identifier of the new snapshot, such as \"prod-2026-11-01-dr\"")
        if let target {
            let problems = SnapshotIdentifier.problems(target)
            if !problems.isEmpty {
                report(node["target"], "\(path).target", rule: "target-identifier",
                       "the target identifier \"\(target)\" is not valid: \(problems.joined(separator: "; "))",
                       fix: "use 1 to 63 letters, digits or hyphens, starting with a letter, with no trailing or doubled hyphen")
            }
        }

        var region = defaults.region ?? fallbackRegion
        if let explicit = string(node, "region", in: path) {
            region = checkedRegion(explicit, node["region"], path: "\(path).region")
        } else if region == nil && defaults.region == nil && fallbackRegion == nil {
            report(node, "\(path).region", rule: "missing-region", "no destination region is given for this copy",
                   fix: "set \"region\" on the entry or in \"defaults\", or pass --region")
        }

        let source = readSource(node, path: path, region: region)
        let kmsKeyID: String?
        if isNull(node["kmsKeyId"]) {
            kmsKeyID = nil  // null turns defaults.kmsKeyId off for this entry
        } else if let key = string(node, "kmsKeyId", in: path) {
            kmsKeyID = checkedKMSKey(key, node["kmsKeyId"], path: "\(path).kmsKeyId", region: region)
        } else {
            kmsKeyID = defaults.kmsKeyID
            if let key = kmsKeyID, let region, let keyRegion = KMSKeyReference.region(of: key), keyRegion != region {
                report(node, "defaults.kmsKeyId", rule: "kms-key-region",
                       "the default KMS key is in \(keyRegion), but \(path) copies to \(region); KMS keys are regional",
                       fix: "set \"kmsKeyId\" on \(path) to a key in \(region)")
            }
        }
        let copyTags = bool(node, "copyTags", in: path) ?? defaults.copyTags ?? false
        var tags = defaults.tags
        if let own = self.tags(node["tags"], path: "\(path).tags") { tags.merge(own) }
        if tags.count + 1 > TagRules.maximumCount {
            report(node["tags"] ?? node, "\(path).tags", rule: "tag-count",
                   "this copy would carry \(tags.count) tags plus snapcopy's ownership tag; a snapshot holds at most \(TagRules.maximumCount)",
                   fix: "remove at least \(tags.count + 1 - TagRules.maximumCount) tags from the entry or from \"defaults.tags\"")
        }
        let policy = deletionPolicy(node, in: path) ?? defaults.deletionPolicy ?? .retain
        let role = isNull(node["roleArn"]) ? nil : (roleARN(node, in: path) ?? defaults.roleARN)

        if let target, let region, case .identifier(let id) = source, id.lowercased() == target.lowercased() {
            report(node["target"], "\(path).target", rule: "self-copy",
                   "the copy's target \"\(target)\" is its own source in \(region)",
                   fix: "give the copy a different target identifier")
        }
        if let target, let region, case .arn(let arn) = source, arn.region == region,
           arn.identifier.lowercased() == target.lowercased(), let role, arn.account == DesiredCopy.account(ofRole: role) {
            report(node["target"], "\(path).target", rule: "self-copy",
                   "the copy's target \"\(target)\" is its own source in \(region)",
                   fix: "give the copy a different target identifier")
        }

        checkPartitions(node, path: path, region: region, source: source, kmsKeyID: kmsKeyID, role: role)

        guard diagnostics.count == errorsBefore, let target, let region, let source else { return nil }
        return DesiredCopy(
            target: target, source: source, region: region, kmsKeyID: kmsKeyID, copyTags: copyTags,
            tags: tags, ignoreTagKeys: defaults.ignoreTagKeys, deletionPolicy: policy, roleARN: role,
            location: ManifestLocation(file: file, path: path, position: node.position))
    }

    private mutating func readSource(_ node: JSONNode, path: String, region: String?) -> SnapshotReference? {
        guard let text = requiredString(node, "source", in: path,
                                        fix: "add \"source\": the ARN of the snapshot to copy, or its identifier when it is in the destination region")
        else { return nil }
        let at = node["source"]
        if text.hasPrefix("arn:") {
            switch SnapshotARN.parse(text) {
            case .success(let arn):
                return .arn(arn)
            case .failure(let error):
                report(at, "\(path).source", rule: "source-arn", "the source is not a valid cluster snapshot ARN: \(error.message)",
                       fix: "write arn:aws:rds:REGION:ACCOUNT:cluster-snapshot:ID, as `aws neptune describe-db-cluster-snapshots` prints it")
                return nil
            }
        }
        let allowed = text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == ":") }
        if text.isEmpty || text.count > 255 || !allowed {
            report(at, "\(path).source", rule: "source-identifier",
                   "the source \"\(text)\" is neither a cluster snapshot ARN nor a snapshot identifier (letters, digits, hyphens; automated snapshots start with rds:)",
                   fix: "give the source's ARN, or its identifier when it is in the destination region and account")
            return nil
        }
        return .identifier(text)
    }

    // MARK: - Field readers

    /// Whether the member is present and `null` (which, for an entry's optional fields, turns off the default).
    func isNull(_ node: JSONNode?) -> Bool {
        if case .null? = node?.value { return true }
        return false
    }

    mutating func string(_ object: JSONNode, _ key: String, in path: String) -> String? {
        guard let node = object[key] else { return nil }
        guard let text = node.stringValue else {
            report(node, join(path, key), rule: "wrong-type", "\"\(key)\" must be a string, not \(article(node.typeName))",
                   fix: "put the value in double quotes")
            return nil
        }
        return text
    }

    mutating func requiredString(_ object: JSONNode, _ key: String, in path: String, fix: String) -> String? {
        guard object[key] != nil else {
            report(object, join(path, key), rule: "missing-field", "the required field \"\(key)\" is missing", fix: fix)
            return nil
        }
        return string(object, key, in: path)
    }

    mutating func bool(_ object: JSONNode, _ key: String, in path: String) -> Bool? {
        guard let node = object[key] else { return nil }
        guard let value = node.boolValue else {
            report(node, join(path, key), rule: "wrong-type", "\"\(key)\" must be true or false, not \(article(node.typeName))",
                   fix: "write \"\(key)\": true or \"\(key)\": false, without quotes")
            return nil
        }
        return value
    }

    mutating func deletionPolicy(_ object: JSONNode, in path: String) -> DeletionPolicy? {
        guard let text = string(object, "deletionPolicy", in: path) else { return nil }
        guard let policy = DeletionPolicy(rawValue: text) else {
            report(object["deletionPolicy"], join(path, "deletionPolicy"), rule: "deletion-policy",
                   "\"\(text)\" is not a deletion policy", fix: "write \"retain\" (keep the snapshot) or \"delete\"")
            return nil
        }
        return policy
    }

    mutating func roleARN(_ object: JSONNode, in path: String) -> String? {
        guard let text = string(object, "roleArn", in: path) else { return nil }
        let parts = text.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        let valid = parts.count == 6 && parts[0] == "arn" && Partition.all.contains(String(parts[1])) && parts[2] == "iam" && parts[3].isEmpty
            && parts[4].count == 12 && parts[4].allSatisfy(\.isASCIIDigit) && parts[5].hasPrefix("role/") && parts[5].count > 5
        guard valid else {
            report(object["roleArn"], join(path, "roleArn"), rule: "role-arn", "\"\(text)\" is not an IAM role ARN",
                   fix: "write arn:aws:iam::ACCOUNT:role/NAME")
            return nil
        }
        return text
    }

    mutating func checkedRegion(_ region: String, _ node: JSONNode?, path: String) -> String? {
        guard Region.isWellFormed(region) else {
            report(node, path, rule: "region-name", "\"\(region)\" is not a well-formed region name",
                   fix: "use a region name such as us-east-1 or eu-west-2")
            return nil
        }
        return region
    }

    mutating func checkedKMSKey(_ key: String, _ node: JSONNode?, path: String, region: String?) -> String? {
        if let problem = KMSKeyReference.problem(key) {
            report(node, path, rule: "kms-key", problem, fix: "give a key ARN, key id, alias name (alias/NAME) or alias ARN")
            return nil
        }
        if let region, let keyRegion = KMSKeyReference.region(of: key), keyRegion != region {
            report(node, path, rule: "kms-key-region",
                   "the KMS key is in \(keyRegion) but the copy goes to \(region); KMS keys are regional",
                   fix: "use a key in \(region), or its alias name (alias/NAME) which resolves in the destination region")
            return nil
        }
        return key
    }

    mutating func tags(_ node: JSONNode?, path: String) -> Tags? {
        guard let node else { return nil }
        // Each tag with the position of its element in a list form (nil in the object form), for
        // its JSON path, which is only written out when the tag is reported.
        var pairs: [(key: String, value: String, node: JSONNode, element: Int?)] = []
        if let members = node.members {
            for member in members {
                guard let value = member.value.stringValue else {
                    report(member.value, join(path, member.key), rule: "wrong-type",
                           "a tag value must be a string, not \(article(member.value.typeName))",
                           fix: "put the value in double quotes")
                    continue
                }
                pairs.append((member.key, value, member.value, nil))
            }
        } else if let elements = node.elements {
            var seen: [String: Int] = [:]
            for (index, element) in elements.enumerated() {
                let elementPath = "\(path)[\(index)]"
                guard element.members != nil else {
                    report(element, elementPath, rule: "wrong-type", "a tag must be an object {\"Key\": ..., \"Value\": ...}",
                           fix: "write {\"Key\": \"env\", \"Value\": \"prod\"}")
                    continue
                }
                checkKeys(element, path: elementPath, allowed: ["Key", "Value"])
                guard let key = requiredString(element, "Key", in: elementPath, fix: "add \"Key\": the tag's key") else { continue }
                let value = string(element, "Value", in: elementPath) ?? ""
                if let earlier = seen[key] {
                    report(element, elementPath, rule: "duplicate-tag", "the tag key \"\(key)\" is already given at \(path)[\(earlier)]",
                           fix: "keep only one of the two")
                    continue
                }
                seen[key] = index
                pairs.append((key, value, element, index))
            }
        } else {
            report(node, path, rule: "wrong-type", "\"tags\" must be an object or a list of {Key, Value}, not \(article(node.typeName))",
                   fix: "write \"tags\": {\"env\": \"prod\"}")
            return nil
        }
        var tags = Tags()
        for pair in pairs {
            checkTag(key: pair.key, value: pair.value, node: pair.node,
                     path: pair.element.map { "\(path)[\($0)]" } ?? Self.joined(path, pair.key))
            tags[pair.key] = pair.value
        }
        return tags
    }

    private mutating func checkTag(key: String, value: String, node: JSONNode, path makePath: @autoclosure () -> String) {
        // The path is needed only for a report; most tags have none.
        var path: String { makePath() }
        // Plain ASCII (the common case) has one character per byte and none that is disallowed.
        let plain = TagRules.isPlainASCII(key) && TagRules.isPlainASCII(value)
        let keyLength = plain ? key.utf8.count : key.count
        let valueLength = plain ? value.utf8.count : value.count
        if key.isEmpty || keyLength > TagRules.maximumKeyLength {
            report(node, path, rule: "tag-key-length", "the tag key \"\(key.prefix(40))\" has \(keyLength) characters; keys need 1 to 128",
                   fix: "shorten the key to at most 128 characters")
        }
        if valueLength > TagRules.maximumValueLength {
            report(node, path, rule: "tag-value-length", "the value of tag \"\(key)\" has \(valueLength) characters; at most 256 are allowed",
                   fix: "shorten the value to at most 256 characters")
        }
        if TagRules.isReserved(key) {
            report(node, path, rule: "tag-reserved-prefix", "the tag key \"\(key)\" uses a prefix AWS reserves (aws: or rds:)",
                   fix: "rename the key without the aws: or rds: prefix")
        } else if key.lowercasedCheaply.hasPrefix("snapcopy:") {
            report(node, path, rule: "tag-reserved-prefix", "the tag key \"\(key)\" uses the prefix snapcopy reserves for its ownership tag",
                   fix: "rename the key without the snapcopy: prefix")
        }
        if plain { return }
        for (part, text) in [("key", key), ("value", value)] {
            guard let bad = TagRules.firstDisallowedCharacter(in: text) else { continue }
            let shown = CanonicalJSON.quote(String(bad))
            report(node, path, rule: "tag-characters",
                   "the tag \(CanonicalJSON.quote(key)) has \(shown) (U+\(String(bad.value, radix: 16, uppercase: true))) in its \(part); RDS accepts only letters, digits, spaces and _ . : / = + - @ in tags",
                   fix: "remove \(shown) from the \(part) (line breaks, tabs and other control characters are never allowed)")
        }
    }

    // MARK: - Helpers

    mutating func checkKeys(_ object: JSONNode, path: String, allowed: [String]) {
        for member in object.members ?? [] where !allowed.contains(member.key) {
            let suggestion = Self.closest(to: member.key, in: allowed)
            report(at: member.keyPosition, join(path, member.key), rule: "unknown-key",
                   "unknown key \"\(member.key)\"" + (suggestion.map { "; did you mean \"\($0)\"?" } ?? ""),
                   fix: suggestion.map { "rename it to \"\($0)\"" }
                       ?? "remove it; the keys allowed here are \(allowed.map { "\"\($0)\"" }.joined(separator: ", "))")
        }
    }

    /// The allowed key nearest to `key` by case-insensitive edit distance, if close enough to be a typo.
    static func closest(to key: String, in allowed: [String]) -> String? {
        let scored = allowed.map { ($0, editDistance(key.lowercased(), $0.lowercased())) }
        guard let best = scored.min(by: { $0.1 < $1.1 }) else { return nil }
        return best.1 <= (key.count < 4 ? 1 : max(2, key.count / 3)) ? best.0 : nil
    }

    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in stride(from: 1, through: b.count, by: 1) {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }

    mutating func report(_ node: JSONNode?, _ path: String, rule: String, _ message: String, fix: String) {
        report(at: node?.position, path, rule: rule, message, fix: fix)
    }

    private mutating func report(at position: SourcePosition?, _ path: String, rule: String, _ message: String, fix: String) {
        diagnostics.append(Diagnostic(ManifestLocation(file: file, path: path, position: position), rule: rule, message, fix: fix))
    }

    func join(_ path: String, _ key: String) -> String {
        Self.joined(path, key)
    }

    /// The JSON path of `key` inside `path`: `path.key`, or `path["key"]` when the key is not plain.
    static func joined(_ path: String, _ key: String) -> String {
        let quoted = quotedKey(key)
        return path.isEmpty || quoted.hasPrefix("[") ? path + quoted : "\(path).\(quoted)"
    }

    private static func quotedKey(_ key: String) -> String {
        // By bytes: a key of these ASCII bytes is the same characters, and any other byte fails either way.
        let plain = !key.isEmpty && key.allBytes { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "_"), UInt8(ascii: "$"):
                true
            default:
                false
            }
        }
        return plain ? key : "[\(CanonicalJSON.quote(key))]"
    }

    func article(_ typeName: String) -> String {
        typeName == "null" ? "null" : (typeName.first.map { "aeiou".contains($0) } == true ? "an \(typeName)" : "a \(typeName)")
    }
}

extension DesiredCopy {
    static func account(ofRole role: String?) -> String? {
        guard let role else { return nil }
        let parts = role.split(separator: ":", omittingEmptySubsequences: false)
        return parts.count >= 6 ? String(parts[4]) : nil
    }
}
