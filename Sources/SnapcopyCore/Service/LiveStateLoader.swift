import Foundation

/// Describes live state from a `SnapshotService`: one listing per (region, role) involved and a tag
/// look-up per existing target and per source whose tags are copied, run with bounded concurrency.
///
/// The number of calls is scopes × pages + tag look-ups; there is no per-entry describe.
public struct LiveStateLoader: Sendable {
    public var service: any SnapshotReader
    /// How many calls run at once.
    public var parallelism: Int

    public init(service: any SnapshotReader, parallelism: Int = 16) {
        self.service = service
        self.parallelism = max(1, parallelism)
    }

    /// The scopes a plan of `copies` and `records` must describe: every destination, and every source region.
    public static func scopes(for copies: [DesiredCopy], records: [LockRecord], rules: [CopyRule] = []) -> [AccountScope] {
        var scopes = Set<AccountScope>()
        for rule in rules {
            scopes.insert(AccountScope(region: rule.region, roleARN: rule.roleARN))
            scopes.insert(AccountScope(region: rule.sourceRegion, roleARN: rule.roleARN))
        }
        for copy in copies {
            scopes.insert(AccountScope(region: copy.region, roleARN: copy.roleARN))
            if case .arn(let arn) = copy.source {
                scopes.insert(AccountScope(region: arn.region, roleARN: copy.roleARN))
            }
        }
        for record in records {
            scopes.insert(AccountScope(region: record.region, roleARN: record.roleARN))
        }
        return scopes.sorted()
    }

    /// Lists every scope, then fetches the tags the planner needs; with `findingUnmanagedCopies`
    /// (for drift) also those of listed copies that no entry or record names, so a copy carrying
    /// snapcopy's ownership tag that nothing knows can be found: one call per such copy, none per
    /// other snapshot.
    ///
    /// With `rules`, the tags of the sources a rule selects by tag (or copies tags from) are read
    /// first, the rules are expanded at `now`, and the tags their copies need are read like an entry's.
    public func load(
        copies: [DesiredCopy], records: [LockRecord], rules: [CopyRule] = [], now: Date? = nil, findingUnmanagedCopies: Bool = false
    ) async throws -> LiveState {
        let scopes = Self.scopes(for: copies, records: records, rules: rules)
        let listings = try await forEach(scopes) { scope in
            try await service.listSnapshots(in: scope, includeShared: true).filter(\.isNeptune)
        }
        // Keep, for every snapshot, the scope that listed it so tags are read with the same credentials.
        var state = LiveState()
        var scopeOf: [String: AccountScope] = [:]
        for (scope, snapshots) in zip(scopes, listings) {
            state.markListed(scope, snapshots: snapshots)
            for snapshot in snapshots where scopeOf[snapshot.arn.description] == nil {
                scopeOf[snapshot.arn.description] = scope
                state.insert(snapshot)
            }
        }
        var fetched = Set<String>()
        if !rules.isEmpty {
            // Round one: the sources whose tags a rule selects by, or copies.
            let sources = rules.filter { !$0.sourceTags.isEmpty || $0.copyTags }
                .flatMap { RuleExpansion.candidates(of: $0, in: state) }.map(\.arn.description)
            try await fetchTags(Array(Set(sources)).sorted(), into: &state, scopeOf: scopeOf)
            fetched = Set(sources)
        }
        let expanded = rules.isEmpty ? [] : RuleExpansion(rules: rules, explicit: copies, live: state, records: records,
                                                          now: now ?? state.capturedAt ?? Date(timeIntervalSince1970: 0)).copies
        var wanted = Self.tagLookups(copies: copies + expanded, records: records, state: state).filter { !fetched.contains($0) }
        if findingUnmanagedCopies {
            let known = Set(copies.map(\.identity)).union(records.map(\.identity))
            let seen = Set(wanted)
            wanted += state.snapshots.filter { snapshot in
                snapshot.sourceARN != nil && !snapshot.type.isForeign && !known.contains(snapshot.identity)
                    && !seen.contains(snapshot.arn.description)
            }.map(\.arn.description)
        }
        try await fetchTags(wanted, into: &state, scopeOf: scopeOf)
        return state
    }

    /// Reads the tags of `arns`, each with the scope that listed it, into `state`.
    private func fetchTags(_ arns: [String], into state: inout LiveState, scopeOf: [String: AccountScope]) async throws {
        let lookups = arns.compactMap { arn -> (String, AccountScope)? in scopeOf[arn].map { (arn, $0) } }
        guard !lookups.isEmpty else { return }
        let tags = try await forEach(lookups) { lookup in
            try await service.tags(of: lookup.0, in: lookup.1)
        }
        var tagsByARN: [String: Tags] = [:]
        for (lookup, tagSet) in zip(lookups, tags) { tagsByARN[lookup.0] = tagSet }
        state.updateSnapshots { snapshot in
            if let tagSet = tagsByARN[snapshot.arn.description] { snapshot.tags = tagSet }
        }
    }

    /// The ARNs whose tags the planner reads: existing targets, recorded targets, and copied sources.
    static func tagLookups(copies: [DesiredCopy], records: [LockRecord], state: LiveState) -> [String] {
        var arns: [String] = []
        var seen = Set<String>()
        func add(_ snapshot: LiveSnapshot?) {
            guard let snapshot, seen.insert(snapshot.arn.description).inserted else { return }
            arns.append(snapshot.arn.description)
        }
        for copy in copies {
            for target in state.snapshots(region: copy.region, identifier: copy.target)
            where !target.type.isForeign {
                add(target)
            }
            if copy.copyTags {
                switch copy.source {
                case .arn(let arn): add(state.snapshot(arn: arn))
                case .identifier(let id): add(state.snapshot(region: copy.region, identifier: id, account: copy.roleAccount))
                }
            }
        }
        for record in records {
            add(state.snapshot(region: record.region, identifier: record.target))
        }
        return arns
    }

    /// Runs `body` over `items` with at most `parallelism` at once, returning results in input order.
    public func forEach<Item: Sendable, Result: Sendable>(
        _ items: [Item], _ body: @escaping @Sendable (Item) async throws -> Result
    ) async throws -> [Result] {
        try await withThrowingTaskGroup(of: (Int, Result).self) { group in
            var results = [Result?](repeating: nil, count: items.count)
            var next = 0
            while next < min(parallelism, items.count) {
                let index = next
                group.addTask { (index, try await body(items[index])) }
                next += 1
            }
            while let (index, result) = try await group.next() {
                results[index] = result
                if next < items.count {
                    let index = next
                    group.addTask { (index, try await body(items[index])) }
                    next += 1
                }
            }
            return results.compactMap { $0 }
        }
    }
}
