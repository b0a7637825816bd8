import Foundation

/// One DB cluster snapshot the server holds.
struct BenchSnapshot {
    var identifier: String
    var region: String
    var account: String
    var cluster: String
    var createTime: String
    /// `manual` or `automated`.
    var type: String
    var sourceARN: String?
    var kmsKeyID: String?
    var tags: [(String, String)]
    /// While the monotonic clock (ms) is below this, the copy is `copying`; 0 for a snapshot at rest.
    var copyingUntil: UInt64 = 0
    var copyingSince: UInt64 = 0
    /// `available`, or `failed` for a copy made to fail.
    var restingStatus = "available"

    var arn: String { "arn:aws:rds:\(region):\(account):cluster-snapshot:\(identifier)" }

    func isCopying(at now: UInt64) -> Bool { now < copyingUntil }

    func status(at now: UInt64) -> String { isCopying(at: now) ? "copying" : restingStatus }

    func percent(at now: UInt64) -> Int {
        guard isCopying(at: now), copyingUntil > copyingSince else { return 100 }
        return min(99, Int((now - copyingSince) * 100 / (copyingUntil - copyingSince)))
    }

    /// Adds or overwrites tags, keeping the order keys were first set in.
    mutating func merge(_ added: [(String, String)]) {
        for (key, value) in added {
            if let index = tags.firstIndex(where: { $0.0 == key }) { tags[index].1 = value } else { tags.append((key, value)) }
        }
    }
}

/// The snapshots of one region, in creation order (what markers index).
struct BenchRegion {
    var order: [String] = []
    var byID: [String: BenchSnapshot] = [:]
    /// Copies that may still be in progress (pruned as they finish).
    var copying: Set<String> = []

    mutating func insert(_ snapshot: BenchSnapshot) {
        let key = snapshot.identifier.lowercased()
        if byID[key] == nil { order.append(key) }
        byID[key] = snapshot
    }

    mutating func copyingCount(at now: UInt64) -> Int {
        copying = copying.filter { byID[$0]?.isCopying(at: now) == true }
        return copying.count
    }
}
