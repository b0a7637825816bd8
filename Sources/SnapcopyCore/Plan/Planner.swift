import Foundation

/// Decides, for every desired copy and every recorded one, what apply must do. A pure function.
public struct Planner: Sendable {
    public init() {}

    /// Plans `desired` against `live` and the lock file's records, at `now` (rules read the time:
    /// their windows, retention and the default, a capture's time, keep plans reproducible).
    public func plan(desired: ManifestSet, live: LiveState, lock: LockFile?, now: Date? = nil) -> Plan {
        let time = now ?? live.capturedAt ?? Date(timeIntervalSince1970: 0)
        let expansion = desired.rules.isEmpty ? RuleExpansion()
            : RuleExpansion(rules: desired.rules, explicit: desired.copies, live: live, records: lock?.records ?? [], now: time)
        let copies = expansion.copies.isEmpty ? desired.copies : desired.copies + expansion.copies
        let graph = CopyGraph(copies)
        var problems = graph.cycleProblems() + expansion.problems
        var changes: [PlannedChange] = []
        changes.reserveCapacity(copies.count + (lock?.records.count ?? 0))
        var context = Context(live: live, lock: lock, graph: graph)

        // Upstream copies are decided first, so a chained copy's tags can be decided from what its
        // upstream will carry.
        for copy in graph.orderedCopies() {
            switch context.decide(copy) {
            case .change(let change):
                // Only a chained copy's upstream is looked up (for its tags).
                if graph.hasDependants(change.identity) { context.plannedTags[change.identity] = change.tagsAfterApply }
                changes.append(change)
            case .problem(let problem): problems.append(problem)
            }
        }
        // Needed only to find records and released copies that left the manifests.
        let records = lock?.records ?? []
        let desiredIdentities = records.isEmpty && expansion.released.isEmpty ? [] : Set(copies.map(\.identity))
        var released = Set<CopyIdentity>()
        for (record, rule, reason) in expansion.released where !desiredIdentities.contains(record.identity) {
            released.insert(record.identity)
            changes.append(context.released(record, by: rule, because: reason))
        }
        for record in records where !desiredIdentities.contains(record.identity) && !released.contains(record.identity) {
            switch context.departed(record) {
            case .change(let change): changes.append(change)
            case .problem(let problem): problems.append(problem)
            }
        }
        problems.sort { ($0.region, $0.target.lowercased(), $0.rule) < ($1.region, $1.target.lowercased(), $1.rule) }
        var plan = Plan(changes: changes, problems: problems,
                        inputs: PlanInputs(manifestDigest: desired.digest, lockLineage: lock?.lineage, lockSerial: lock?.serial))
        plan.warnings = expansion.warnings
        if !desired.rules.isEmpty { plan.inputs.time = Timestamp.format(time) }
        return plan
    }
}

/// The planner's per-entry decision.
enum Decision {
    case change(PlannedChange)
    case problem(PlanProblem)
}

/// Desired copies as a graph: an edge from a copy to the copy whose target is its source.
struct CopyGraph {
    /// The first copy of each identity, in the order given. Copies stay in this one array and
    /// tables hold their positions: moving whole copies into tables dominated plans of 100,000.
    private var copies: [DesiredCopy] = []
    private var positions: [CopyIdentity: Int] = [:]
    private(set) var upstream: [CopyIdentity: CopyIdentity] = [:]
    /// The copies some other copy starts from.
    private var parents: Set<CopyIdentity> = []
    private var cyclic: Set<CopyIdentity> = []

    init(_ list: [DesiredCopy]) {
        positions.reserveCapacity(list.count)
        var firsts: [Int] = []
        // By index, so that no copy is copied out of the list.
        for index in list.indices where positions[list[index].identity] == nil {
            positions[list[index].identity] = firsts.count
            firsts.append(index)
        }
        // Without duplicates (the manifests refuse them) the list is shared, not copied.
        copies = firsts.count == list.count ? list : firsts.map { list[$0] }
        for index in list.indices {
            if let parent = Self.sourceIdentity(of: list[index]), parent != list[index].identity, positions[parent] != nil {
                upstream[list[index].identity] = parent
            }
        }
        parents = Set(upstream.values)
        cyclic = findCycles()
    }

    /// The copy this one starts from, when it is another desired copy.
    func parent(of identity: CopyIdentity) -> CopyIdentity? {
        upstream.isEmpty ? nil : upstream[identity]
    }

    /// Whether another copy starts from this one.
    func hasDependants(_ identity: CopyIdentity) -> Bool {
        !parents.isEmpty && parents.contains(identity)
    }

    /// The desired copy with this identity (the first, if it is declared twice).
    func copy(_ identity: CopyIdentity) -> DesiredCopy? {
        positions[identity].map { copies[$0] }
    }

    /// The identity the copy's source would have if it were another desired copy's target.
    static func sourceIdentity(of copy: DesiredCopy) -> CopyIdentity? {
        switch copy.source {
        case .arn(let arn): CopyIdentity(region: arn.region, target: arn.identifier)
        case .identifier(let id): CopyIdentity(region: copy.region, target: id)
        }
    }

    private func findCycles() -> Set<CopyIdentity> {
        var inCycle: Set<CopyIdentity> = []
        for start in upstream.keys {
            var seen: [CopyIdentity] = [start]
            var node = start
            while let next = upstream[node] {
                if next == start { inCycle.formUnion(seen); break }
                if seen.contains(next) { break }
                seen.append(next)
                node = next
            }
        }
        return inCycle
    }

    func cycleProblems() -> [PlanProblem] {
        cyclic.sorted().compactMap { identity in
            guard let copy = self.copy(identity) else { return nil }
            var chain = [identity]
            var node = identity
            while let next = upstream[node], next != identity, chain.count < 100 { chain.append(next); node = next }
            let path = (chain + [identity]).map(\.target).joined(separator: " → ")
            return PlanProblem(
                rule: "copy-cycle", region: copy.region, target: copy.target, source: copy.source.description,
                message: "the copies form a cycle: \(path); each copy's source is another's target",
                fix: "break the cycle: at least one copy must start from a snapshot that no entry creates", location: copy.location)
        }
    }

    /// Copies in apply order: upstream copies before their dependants, otherwise by region and target.
    /// Copies in a cycle are left out (they are reported as problems).
    func orderedCopies() -> [DesiredCopy] {
        var depth: [CopyIdentity: Int] = [:]
        func depthOf(_ identity: CopyIdentity) -> Int {
            if let known = depth[identity] { return known }
            var d = 0
            var node = identity
            while let next = upstream[node], d < copies.count { d += 1; node = next }
            depth[identity] = d
            return d
        }
        // Sort positions by precomputed keys: moving and re-keying whole copies in the sort
        // dominated plans of 100,000 copies.
        let acyclic = cyclic.isEmpty ? copies : copies.filter { !cyclic.contains($0.identity) }
        let depths = upstream.isEmpty ? Array(repeating: 0, count: acyclic.count) : acyclic.map { depthOf($0.identity) }
        let order = acyclic.indices.sorted { l, r in
            depths[l] != depths[r] ? depths[l] < depths[r] : acyclic[l].identity < acyclic[r].identity
        }
        return order.map { acyclic[$0] }
    }
}

