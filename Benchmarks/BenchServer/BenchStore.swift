import Foundation

/// What the server is told to do: latency, how long copies stay `copying`, the in-flight limit.
struct BenchConfig: Sendable {
    var latencyMs = 0
    /// How long a new copy stays `copying` (0: available at once).
    var copyingMs = 0
    /// Copies in progress allowed per region before `SnapshotQuotaExceeded`.
    var maxInflightCopies = 5
    /// Whether `DBClusterSnapshot` elements carry a `TagList`. Off by default, as in Neptune's
    /// model (RDS's answers have one); `--tag-list` turns it on to measure that case.
    var tagListInResponses = false
    /// The largest page `DescribeDBClusterSnapshots` returns.
    var pageSize = 100
    var account = "123456789012"
}

/// An answer: HTTP status and XML body.
struct BenchReply: Sendable {
    var status: Int
    var body: String

    static func ok(_ action: String, _ result: String?) -> BenchReply { BenchReply(status: 200, body: BenchXML.response(action, result: result)) }

    static func error(_ status: Int, _ code: String, _ message: String) -> BenchReply {
        BenchReply(status: status, body: BenchXML.error(code: code, message: message, sender: status < 500))
    }
}

/// Snapshots and tags in memory, per region, and the call counts: every operation runs under one
/// lock and does constant work per snapshot it returns (a page is a slice, look-ups are hashed).
final class BenchStore: @unchecked Sendable {
    private let lock = NSLock()
    private var config = BenchConfig()
    private var regions: [String: BenchRegion] = [:]
    private var stats = BenchStats()

    static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds / 1_000_000 }

    var latencyMs: Int { lock.withLock { config.latencyMs } }

    // MARK: - Calls

    func handle(action: String, form: FormBody, region: String) -> BenchReply {
        lock.withLock {
            stats.count(action: action, region: region)
            let reply: BenchReply
            switch action {
            case "DescribeDBClusterSnapshots": reply = describe(form, region: region)
            case "ListTagsForResource": reply = listTags(form)
            case "CopyDBClusterSnapshot": reply = copy(form, region: region)
            case "AddTagsToResource": reply = addTags(form)
            case "RemoveTagsFromResource": reply = removeTags(form)
            case "DeleteDBClusterSnapshot": reply = delete(form, region: region)
            default: reply = .error(400, "InvalidAction", "The action \(action) is not valid for this web service.")
            }
            if reply.status != 200, let code = Self.code(in: reply.body) { stats.errorsByCode[code, default: 0] += 1 }
            return reply
        }
    }

    private static func code(in body: String) -> String? {
        guard let start = body.range(of: "<Code>"), let end = body.range(of: "</Code>", range: start.upperBound..<body.endIndex) else { return nil }
        return String(body[start.upperBound..<end.lowerBound])
    }

    /// The region and identifier an identifier or ARN names, relative to `region`.
    private func locate(_ name: String, region: String) -> (region: String, key: String)? {
        if name.hasPrefix("arn:") {
            let parts = name.split(separator: ":", maxSplits: 6, omittingEmptySubsequences: false)
            guard parts.count == 7, parts[5] == "cluster-snapshot", parts[4] == Substring(config.account) else { return nil }
            return (String(parts[3]), parts[6].lowercased())
        }
        return (region, name.lowercased())
    }

    private func snapshot(_ name: String, region: String) -> BenchSnapshot? {
        guard let place = locate(name, region: region) else { return nil }
        return regions[place.region]?.byID[place.key]
    }

    private func notFound(_ name: String) -> BenchReply {
        .error(404, "DBClusterSnapshotNotFoundFault", "DBClusterSnapshot \(name) not found.")
    }

    private func describe(_ form: FormBody, region: String) -> BenchReply {
        let action = "DescribeDBClusterSnapshots"
        let now = Self.now()
        let withTags = config.tagListInResponses
        var size = 100
        if let text = form["MaxRecords"] {
            guard let value = Int(text), (20...100).contains(value) else {
                return .error(400, "InvalidParameterValue", "Invalid value \(text) for MaxRecords. Must be between 20 and 100.")
            }
            size = value
        }
        size = min(size, config.pageSize)
        if let name = form["DBClusterSnapshotIdentifier"] {
            guard let found = snapshot(name, region: region) else { return notFound(name) }
            return .ok(action, "<DBClusterSnapshots>\(BenchXML.snapshot(found, at: now, withTags: withTags))</DBClusterSnapshots>")
        }
        var offset = 0
        if let marker = form["Marker"], !marker.isEmpty {
            guard marker.hasPrefix("bench-"), let value = Int(marker.dropFirst(6)), value >= 0 else {
                return .error(400, "InvalidParameterValue", "Invalid Marker: \(marker)")
            }
            offset = value
        }
        let store = regions[region] ?? BenchRegion()
        let cluster = form["DBClusterIdentifier"]
        let type = form["SnapshotType"]
        // Shared and public snapshots: this account has none to show.
        if type == "shared" || type == "public" { return .ok(action, "<DBClusterSnapshots></DBClusterSnapshots>") }
        let keys: ArraySlice<String>
        let total: Int
        if cluster == nil && type == nil {
            total = store.order.count
            keys = store.order[min(offset, total)..<min(offset + size, total)]
        } else {
            let matching = store.order.filter { key in
                guard let s = store.byID[key] else { return false }
                return (cluster == nil || s.cluster == cluster) && (type == nil || s.type == type)
            }
            total = matching.count
            keys = matching[min(offset, total)..<min(offset + size, total)]
        }
        var body = offset + size < total ? "<Marker>bench-\(offset + size)</Marker>" : ""
        body += "<DBClusterSnapshots>"
        for key in keys {
            if let s = store.byID[key] { body += BenchXML.snapshot(s, at: now, withTags: withTags) }
        }
        return .ok(action, body + "</DBClusterSnapshots>")
    }

    private func listTags(_ form: FormBody) -> BenchReply {
        guard let name = form["ResourceName"] else { return .error(400, "MissingParameter", "ResourceName is required.") }
        guard name.hasPrefix("arn:"), let found = snapshot(name, region: "") else { return notFound(name) }
        return .ok("ListTagsForResource", BenchXML.tagList(found.tags))
    }

    private func copy(_ form: FormBody, region: String) -> BenchReply {
        guard let sourceName = form["SourceDBClusterSnapshotIdentifier"], let target = form["TargetDBClusterSnapshotIdentifier"] else {
            return .error(400, "MissingParameter", "SourceDBClusterSnapshotIdentifier and TargetDBClusterSnapshotIdentifier are required.")
        }
        guard let place = locate(sourceName, region: region), let source = regions[place.region]?.byID[place.key] else { return notFound(sourceName) }
        if place.region != region && form["PreSignedUrl"] == nil {
            return .error(400, "InvalidParameterValue", "PreSignedUrl is required to copy \(sourceName) from \(place.region) to \(region).")
        }
        let now = Self.now()
        var store = regions[region] ?? BenchRegion()
        stats.copyRequestsByTarget[target.lowercased(), default: 0] += 1
        if store.byID[target.lowercased()] != nil {
            return .error(400, "DBClusterSnapshotAlreadyExistsFault", "Cannot create the snapshot because a snapshot with the identifier \(target) already exists.")
        }
        guard source.status(at: now) == "available" else {
            return .error(400, "InvalidDBClusterSnapshotStateFault", "Cannot copy \(sourceName): its status is \(source.status(at: now)).")
        }
        if config.copyingMs > 0 && store.copyingCount(at: now) >= config.maxInflightCopies {
            return .error(400, "SnapshotQuotaExceeded", "Cannot copy more than \(config.maxInflightCopies) DB cluster snapshots at once to \(region).")
        }
        var tags = form.tags()
        if tags.isEmpty && form["CopyTags"] == "true" { tags = source.tags }
        var copy = BenchSnapshot(identifier: target.lowercased(), region: region, account: config.account, cluster: source.cluster,
                                 createTime: source.createTime, type: "manual", sourceARN: source.arn,
                                 kmsKeyID: form["KmsKeyId"] ?? source.kmsKeyID, tags: tags)
        if config.copyingMs > 0 {
            copy.copyingSince = now
            copy.copyingUntil = now + UInt64(config.copyingMs)
            store.copying.insert(copy.identifier)
        }
        store.insert(copy)
        let copying = store.copyingCount(at: now)
        regions[region] = store
        stats.copiesCreated += 1
        stats.maxCopyingByRegion[region] = max(stats.maxCopyingByRegion[region] ?? 0, copying)
        return .ok("CopyDBClusterSnapshot", BenchXML.snapshot(copy, at: now, withTags: config.tagListInResponses))
    }

    private func addTags(_ form: FormBody) -> BenchReply {
        guard let name = form["ResourceName"], let place = locate(name, region: ""), regions[place.region]?.byID[place.key] != nil else {
            return notFound(form["ResourceName"] ?? "")
        }
        regions[place.region]?.byID[place.key]?.merge(form.tags())
        return .ok("AddTagsToResource", nil)
    }

    private func removeTags(_ form: FormBody) -> BenchReply {
        guard let name = form["ResourceName"], let place = locate(name, region: ""), regions[place.region]?.byID[place.key] != nil else {
            return notFound(form["ResourceName"] ?? "")
        }
        let keys = Set(form.list("TagKeys"))
        regions[place.region]?.byID[place.key]?.tags.removeAll { keys.contains($0.0) }
        return .ok("RemoveTagsFromResource", nil)
    }

    private func delete(_ form: FormBody, region: String) -> BenchReply {
        guard let name = form["DBClusterSnapshotIdentifier"], let place = locate(name, region: region),
              let found = regions[place.region]?.byID[place.key] else {
            return notFound(form["DBClusterSnapshotIdentifier"] ?? "")
        }
        regions[place.region]?.byID[place.key] = nil
        regions[place.region]?.order.removeAll { $0 == place.key }
        var deleted = found
        deleted.copyingUntil = 0
        deleted.restingStatus = "deleted"
        return .ok("DeleteDBClusterSnapshot", BenchXML.snapshot(deleted, at: Self.now(), withTags: false))
    }

    // MARK: - Administration

    func recordSignatureFailure() { lock.withLock { stats.signatureFailures += 1 } }

    func requestStarted() { lock.withLock { stats.inFlight += 1; stats.maxInFlight = max(stats.maxInFlight, stats.inFlight) } }

    func requestFinished() { lock.withLock { stats.inFlight -= 1 } }

    /// Forgets every snapshot and count; the configuration stays.
    func reset() { lock.withLock { regions = [:]; stats = BenchStats() } }

    func resetStats() { lock.withLock { stats = BenchStats() } }

    func statsJSON() -> [String: Any] {
        lock.withLock {
            var json = stats.json
            json["snapshotsByRegion"] = regions.mapValues { $0.byID.count }
            json["config"] = ["latencyMs": config.latencyMs, "copyingMs": config.copyingMs, "maxInflightCopies": config.maxInflightCopies,
                              "tagListInResponses": config.tagListInResponses, "pageSize": config.pageSize, "account": config.account] as [String: Any]
            return json
        }
    }

    /// Applies the members given (`latencyMs`, `copyingMs`, `maxInflightCopies`, `tagListInResponses`, `pageSize`, `account`).
    func configure(_ json: [String: Any]) throws {
        try lock.withLock {
            var next = config
            for (key, value) in json {
                switch key {
                case "latencyMs": next.latencyMs = try Self.int(value, key, 0...600_000)
                case "copyingMs": next.copyingMs = try Self.int(value, key, 0...86_400_000)
                case "maxInflightCopies": next.maxInflightCopies = try Self.int(value, key, 1...1_000)
                case "pageSize": next.pageSize = try Self.int(value, key, 1...100)
                case "tagListInResponses":
                    guard let flag = value as? Bool else { throw AdminError("tagListInResponses must be true or false") }
                    next.tagListInResponses = flag
                case "account":
                    guard let text = value as? String, text.count == 12, text.allSatisfy(\.isNumber) else { throw AdminError("account must be 12 digits") }
                    next.account = text
                default: throw AdminError("unknown configuration member \(key)")
                }
            }
            config = next
        }
    }

    /// Adds snapshots: `{"generate": {"regions": [...], "count": N, "prefix": "src-", "tags": {...}}}` makes
    /// N snapshots spread round-robin over the regions; `{"snapshots": [{"region", "identifier", "cluster", "tags", "type",
    /// "sourceArn"}]}` adds the ones given. Returns how many were added.
    func seed(_ json: [String: Any]) throws -> Int {
        try lock.withLock {
            var added = 0
            let account = config.account
            if let generate = json["generate"] as? [String: Any] {
                guard let names = generate["regions"] as? [String], !names.isEmpty else { throw AdminError("generate.regions must be a non-empty list") }
                let count = try Self.int(generate["count"] ?? -1, "generate.count", 0...10_000_000)
                let prefix = generate["prefix"] as? String ?? "src-"
                let tags = (generate["tags"] as? [String: String] ?? [:]).sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
                for index in 0..<count {
                    let region = names[index % names.count]
                    let snapshot = BenchSnapshot(identifier: "\(prefix)\(index)", region: region, account: account, cluster: "graph-\(index % 10)",
                                                 createTime: "2026-11-20T03:00:00.512Z", type: "manual", tags: tags)
                    regions[region, default: BenchRegion()].insert(snapshot)
                    added += 1
                }
            }
            for item in json["snapshots"] as? [[String: Any]] ?? [] {
                guard let region = item["region"] as? String, let identifier = item["identifier"] as? String else {
                    throw AdminError("each of snapshots needs region and identifier")
                }
                let tags = (item["tags"] as? [String: String] ?? [:]).sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
                let snapshot = BenchSnapshot(identifier: identifier.lowercased(), region: region, account: account, cluster: item["cluster"] as? String ?? "graph",
                                             createTime: item["createTime"] as? String ?? "2026-11-20T03:00:00.512Z", type: item["type"] as? String ?? "manual",
                                             sourceARN: item["sourceArn"] as? String, kmsKeyID: item["kmsKeyId"] as? String, tags: tags)
                regions[region, default: BenchRegion()].insert(snapshot)
                added += 1
            }
            return added
        }
    }

    private static func int(_ value: Any, _ name: String, _ range: ClosedRange<Int>) throws -> Int {
        guard let number = value as? Int, range.contains(number) else { throw AdminError("\(name) must be a whole number in \(range.lowerBound)...\(range.upperBound)") }
        return number
    }
}

struct AdminError: Error {
    var message: String
    init(_ message: String) { self.message = message }
}

/// Counts since the last reset.
struct BenchStats {
    var callsByAction: [String: Int] = [:]
    var callsByRegionAndAction: [String: [String: Int]] = [:]
    var errorsByCode: [String: Int] = [:]
    var copyRequestsByTarget: [String: Int] = [:]
    var copiesCreated = 0
    var maxCopyingByRegion: [String: Int] = [:]
    var signatureFailures = 0
    var inFlight = 0
    var maxInFlight = 0

    mutating func count(action: String, region: String) {
        callsByAction[action, default: 0] += 1
        callsByRegionAndAction[region, default: [:]][action, default: 0] += 1
    }

    var json: [String: Any] {
        [
            "callsByAction": callsByAction,
            "callsByRegionAndAction": callsByRegionAndAction,
            "totalCalls": callsByAction.values.reduce(0, +),
            "errorsByCode": errorsByCode,
            "copiesCreated": copiesCreated,
            "copiesRequestedTwice": copyRequestsByTarget.values.filter { $0 > 1 }.count,
            "maxCopyingByRegion": maxCopyingByRegion,
            "signatureFailures": signatureFailures,
            "maxConcurrentRequests": maxInFlight,
        ]
    }
}
