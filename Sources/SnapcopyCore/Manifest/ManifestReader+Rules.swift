extension ManifestReader {
    static let ruleKeys = ["name", "select", "copy", "retain", "rpo"]
    static let selectKeys = ["region", "account", "clusters", "type", "tags", "latest", "within"]
    static let ruleCopyKeys = ["region", "kmsKeyId", "tags", "copyTags", "roleArn", "target", "deletionPolicy"]
    static let retainKeys = ["keep", "maxAge"]

    /// The manifest's `rules`, with `defaults` applied to each rule's destination.
    mutating func readRules(_ node: JSONNode?, defaults: Defaults) -> [CopyRule] {
        guard let node else { return [] }
        guard let elements = node.elements else {
            report(node, "rules", rule: "wrong-type", "\"rules\" must be an array, not \(article(node.typeName))",
                   fix: "write \"rules\": [ {\"name\": ..., \"select\": {...}, \"copy\": {...}} ]")
            return []
        }
        return elements.enumerated().compactMap { index, element in readRule(element, path: "rules[\(index)]", defaults: defaults) }
    }

    private mutating func readRule(_ node: JSONNode, path: String, defaults: Defaults) -> CopyRule? {
        guard node.members != nil else {
            report(node, path, rule: "wrong-type", "each rule must be an object, not \(article(node.typeName))",
                   fix: "write {\"name\": ..., \"select\": {...}, \"copy\": {...}}")
            return nil
        }
        let errorsBefore = diagnostics.count
        checkKeys(node, path: path, allowed: Self.ruleKeys)
        let name = requiredString(node, "name", in: path, fix: "add \"name\": a name for the rule, unique across the manifests, such as \"graph-prod-nightly-dr\"")
        if let name {
            if name.isEmpty || name.count > TagRules.maximumValueLength || !TagRules.hasOnlyAllowedCharacters(name) {
                report(node["name"], join(path, "name"), rule: "rule-name",
                       "the rule name \(CanonicalJSON.quote(name)) is not a valid tag value (1 to 256 letters, digits, spaces and _ . : / = + - @); copies carry it in their \(CopyRule.ruleTagKey) tag",
                       fix: "rename the rule with letters, digits and hyphens, such as \"graph-prod-nightly-dr\"")
            }
        }

        // The destination.
        let copyPath = join(path, "copy")
        let copy = node["copy"]
        var region = defaults.region ?? fallbackRegion
        var target: TargetTemplate?
        var kmsKeyID = defaults.kmsKeyID
        var copyTags = defaults.copyTags ?? false
        var tags = defaults.tags
        var role = defaults.roleARN
        var policy = defaults.deletionPolicy ?? .retain
        if let copy {
            if copy.members == nil {
                report(copy, copyPath, rule: "wrong-type", "\"copy\" must be an object, not \(article(copy.typeName))",
                       fix: "write \"copy\": {\"region\": \"us-west-2\", \"target\": \"{cluster}-{date}-dr\"}")
            } else {
                checkKeys(copy, path: copyPath, allowed: Self.ruleCopyKeys)
                if let explicit = string(copy, "region", in: copyPath) { region = checkedRegion(explicit, copy["region"], path: join(copyPath, "region")) }
                if let text = requiredString(copy, "target", in: copyPath, fix: "add \"target\": a name template such as \"{cluster}-{date}-dr\"") {
                    switch TargetTemplate.parse(text) {
                    case .success(let parsed): target = parsed
                    case .failure(let error):
                        report(copy["target"], join(copyPath, "target"), rule: "target-template", error.message,
                               fix: "use letters, digits and hyphens with the placeholders {cluster}, {date}, {time} and {source}, such as \"{cluster}-{date}-dr\"")
                    }
                }
                if isNull(copy["kmsKeyId"]) {
                    kmsKeyID = nil
                } else if let key = string(copy, "kmsKeyId", in: copyPath) {
                    kmsKeyID = checkedKMSKey(key, copy["kmsKeyId"], path: join(copyPath, "kmsKeyId"), region: region)
                }
                copyTags = bool(copy, "copyTags", in: copyPath) ?? copyTags
                if let own = self.tags(copy["tags"], path: join(copyPath, "tags")) { tags.merge(own) }
                if isNull(copy["roleArn"]) { role = nil } else if let explicit = roleARN(copy, in: copyPath) { role = explicit }
                policy = deletionPolicy(copy, in: copyPath) ?? policy
            }
        } else {
            report(node, copyPath, rule: "missing-field", "the required field \"copy\" is missing",
                   fix: "add \"copy\": {\"region\": \"us-west-2\", \"target\": \"{cluster}-{date}-dr\"}")
        }
        if region == nil {
            report(copy ?? node, join(copyPath, "region"), rule: "missing-region", "no destination region is given for this rule",
                   fix: "set \"region\" in \"copy\" or in \"defaults\", or pass --region")
        }

        // The selection.
        let selectPath = join(path, "select")
        var sourceRegion = region
        var account: String?
        var clusters: [CopyRule.ClusterPattern] = []
        var kind = CopyRule.SnapshotKind.automated
        var sourceTags = Tags()
        var window = CopyRule.Window.latest(1)
        if let select = node["select"] {
            if select.members == nil {
                report(select, selectPath, rule: "wrong-type", "\"select\" must be an object, not \(article(select.typeName))",
                       fix: "write \"select\": {\"clusters\": [\"graph-prod\"], \"latest\": 1}")
            } else {
                checkKeys(select, path: selectPath, allowed: Self.selectKeys)
                if let explicit = string(select, "region", in: selectPath) { sourceRegion = checkedRegion(explicit, select["region"], path: join(selectPath, "region")) }
                if let text = string(select, "account", in: selectPath) {
                    if text.count == 12, text.allSatisfy(\.isASCIIDigit) { account = text } else {
                        report(select["account"], join(selectPath, "account"), rule: "account-id", "\"\(text)\" is not a 12-digit account id",
                               fix: "give the id of the account that shares the snapshots, such as \"210987654321\"")
                    }
                }
                if let list = select["clusters"] {
                    if let items = list.elements, items.allSatisfy({ $0.stringValue != nil }) {
                        for (index, item) in items.enumerated() {
                            let text = item.stringValue ?? ""
                            if let pattern = CopyRule.ClusterPattern.parse(text) { clusters.append(pattern) } else {
                                report(item, "\(join(selectPath, "clusters"))[\(index)]", rule: "cluster-pattern",
                                       "\(CanonicalJSON.quote(text)) is not a cluster identifier or glob pattern",
                                       fix: "give a cluster identifier such as \"graph-prod\", or a pattern such as \"graph-*\"")
                            }
                        }
                    } else {
                        report(list, join(selectPath, "clusters"), rule: "wrong-type", "\"clusters\" must be an array of strings",
                               fix: "write \"clusters\": [\"graph-prod\", \"graph-*\"]")
                    }
                }
                if let text = string(select, "type", in: selectPath) {
                    if let parsed = CopyRule.SnapshotKind(rawValue: text) { kind = parsed } else {
                        report(select["type"], join(selectPath, "type"), rule: "snapshot-type", "\"\(text)\" is not a snapshot type a rule selects",
                               fix: "write \"automated\" (the default), \"manual\", \"any\" (both), or \"awsbackup\"")
                    }
                }
                if let own = self.tags(select["tags"], path: join(selectPath, "tags")) { sourceTags = own }
                let latest = select["latest"]
                let within = select["within"]
                if latest != nil && within != nil {
                    report(within, join(selectPath, "within"), rule: "select-window", "\"latest\" and \"within\" cannot both be given",
                           fix: "keep one: \"latest\": N (the newest N per cluster) or \"within\": \"P7D\" (a look-back)")
                } else if let latest {
                    if let count = latest.integerValue, count >= 1 { window = .latest(count) } else {
                        report(latest, join(selectPath, "latest"), rule: "select-window", "\"latest\" must be a whole number of at least 1",
                               fix: "write \"latest\": 1")
                    }
                } else if let within {
                    if let duration = duration(within, path: join(selectPath, "within")) { window = .within(duration) }
                }
            }
        }

        // Retention and recovery point.
        var keep: Int?
        var maxAge: ISODuration?
        if let retain = node["retain"] {
            let retainPath = join(path, "retain")
            if retain.members == nil {
                report(retain, retainPath, rule: "wrong-type", "\"retain\" must be an object, not \(article(retain.typeName))",
                       fix: "write \"retain\": {\"keep\": 7}")
            } else {
                checkKeys(retain, path: retainPath, allowed: Self.retainKeys)
                if let value = retain["keep"] {
                    if let count = value.integerValue, count >= 1 { keep = count } else {
                        report(value, join(retainPath, "keep"), rule: "retain-keep", "\"keep\" must be a whole number of at least 1 (at least one copy per cluster is always kept)",
                               fix: "write \"keep\": 7")
                    }
                }
                if let value = retain["maxAge"] { maxAge = duration(value, path: join(retainPath, "maxAge")) }
                if retain["keep"] == nil && retain["maxAge"] == nil {
                    report(retain, retainPath, rule: "retain-empty", "\"retain\" names neither \"keep\" nor \"maxAge\"",
                           fix: "give \"keep\": N, \"maxAge\": \"P30D\", or both; or remove \"retain\" to keep every copy")
                }
            }
        }
        let rpo = node["rpo"].flatMap { duration($0, path: join(path, "rpo")) }

        if let target, let region, let sourceRegion {
            for pattern in clusters where pattern.isLiteral {
                let longest = target.longestLength(forCluster: pattern.text)
                if longest > SnapshotIdentifier.maximumLength {
                    report(node["copy"]?["target"], join(copyPath, "target"), rule: "target-template",
                           "for cluster \(pattern.text) the template \"\(target.text)\" makes identifiers of up to \(longest) characters; at most \(SnapshotIdentifier.maximumLength) are allowed",
                           fix: "shorten the template (for example use {date} instead of {source})")
                }
            }
            checkPartitions(node, path: path, region: region, source: nil, kmsKeyID: kmsKeyID, role: role)
            if Self.partition(ofRegion: sourceRegion) != Self.partition(ofRegion: region) {
                report(node["select"]?["region"], join(selectPath, "region"), rule: "arn-partition",
                       "the sources' region \(sourceRegion) and the destination \(region) are in different partitions; AWS calls cannot cross partitions",
                       fix: "choose a source region in the destination's partition")
            }
        }
        guard diagnostics.count == errorsBefore, let name, let region, let sourceRegion, let target else { return nil }
        return CopyRule(
            name: name, sourceRegion: sourceRegion, sourceAccount: account, clusters: clusters, kind: kind, sourceTags: sourceTags,
            window: window, region: region, target: target, kmsKeyID: kmsKeyID, copyTags: copyTags, tags: tags,
            ignoreTagKeys: defaults.ignoreTagKeys, roleARN: role, deletionPolicy: policy, keep: keep, maxAge: maxAge, rpo: rpo,
            location: ManifestLocation(file: file, path: path, position: node.position))
    }

    private mutating func duration(_ node: JSONNode, path: String) -> ISODuration? {
        guard let text = node.stringValue else {
            report(node, path, rule: "wrong-type", "a duration must be a string such as \"P7D\", not \(article(node.typeName))",
                   fix: "write an ISO 8601 duration in quotes: \"P7D\", \"PT26H\", \"P1DT12H\"")
            return nil
        }
        switch ISODuration.parse(text) {
        case .success(let duration): return duration
        case .failure(let error):
            report(node, path, rule: "duration", error.message, fix: "write an ISO 8601 duration such as \"P7D\", \"PT26H\" or \"P1DT12H\"")
            return nil
        }
    }
}
