/// `snapcopy refresh`: what the lock file should record of copies it knows, from live state.
///
/// Only observed fields change (status, progress, when progress last moved, completion, the
/// target's creation time): never the desired fields, never a pending record (settling those is
/// apply's job), never a record whose target is gone (that is drift, for `drift` to report).
public enum Refresher {
    /// The lock-file changes that bring `records` up to date with `live` (nothing for a region `live` does not cover).
    public static func observations(of records: [LockRecord], in live: LiveState) -> [Journal.RecordChange] {
        records.compactMap { record in
            guard record.status != .pending, record.operation == nil, live.covers(record.region) else { return nil }
            let account = record.targetARN.flatMap { SnapshotARN($0)?.account }
            guard let target = live.snapshot(region: record.region, identifier: record.target, account: account),
                  !target.type.isForeign else { return nil }
            return .observe(record.identity, target)
        }
    }
}
