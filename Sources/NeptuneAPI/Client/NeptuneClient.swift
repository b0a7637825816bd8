import Foundation

/// A client for Neptune's DB cluster snapshot operations in one region with one identity.
///
/// Create one per (account role, region) and share one ``ClientConfiguration`` (transport,
/// limiter, counter) among all of them. Every call retries per the ``RetryPolicy``;
/// `CopyDBClusterSnapshot` is never retried blindly (see ``copyDBClusterSnapshot(_:)``).
public struct NeptuneClient: Sendable {
    /// The region requests go to and are signed for.
    public let region: String
    /// The endpoint, `https://rds.REGION.amazonaws.com/` unless overridden.
    public let endpoint: URL
    let engine: QueryClient

    /// Creates a client.
    /// - Parameters:
    ///   - region: The region, e.g. `us-east-1`.
    ///   - endpoint: An endpoint override (e.g. moto's `http://127.0.0.1:5000`); `nil` for AWS.
    ///   - credentials: Where signing credentials come from.
    ///   - configuration: Transport, retry policy, clock, log, limiter and counter.
    public init(region: String, endpoint: URL? = nil, credentials: any CredentialProvider, configuration: ClientConfiguration) {
        self.region = region
        self.endpoint = endpoint.map(AWSEndpoint.normalized) ?? AWSEndpoint.neptune(region: region, options: configuration.endpointOptions)
        engine = QueryClient(
            service: "Neptune",
            signingName: NeptuneAPI.signingName,
            apiVersion: NeptuneAPI.apiVersion,
            region: region,
            endpoint: self.endpoint,
            credentials: credentials,
            configuration: configuration
        )
    }

    /// Creates a client from individual settings.
    public init(
        region: String,
        endpoint: URL? = nil,
        credentials: any CredentialProvider,
        transport: any HTTPTransport,
        retryPolicy: RetryPolicy = .standard,
        sleeper: any Sleeper = ClockSleeper(),
        log: RequestLog? = nil,
        limiter: ConcurrencyLimiter? = nil,
        counter: APICallCounter? = nil,
        userAgent: String = NeptuneAPI.userAgent
    ) {
        self.init(
            region: region,
            endpoint: endpoint,
            credentials: credentials,
            configuration: ClientConfiguration(transport: transport, retryPolicy: retryPolicy, sleeper: sleeper, log: log, limiter: limiter, counter: counter, userAgent: userAgent)
        )
    }

    /// Describes DB cluster snapshots, following `Marker` through every page.
    ///
    /// Pages are requested ahead: as soon as a page's body arrives, its marker is read off the raw
    /// bytes (``EarlyMarker``) and the next page requested while this one decodes, so decoding is
    /// off the round trips' critical path. The marker the decoded page carries is the one followed;
    /// a page requested with another is cancelled and discarded, and a marker is requested ahead
    /// at most once and for at most ``ClientConfiguration/maximumPages`` pages.
    ///
    /// A response that cannot be the answer fails the call with ``NeptuneAPIError/Code/unparseableResponse``
    /// (not retried), naming the action and region: a marker seen before (the pages would loop),
    /// more than ``ClientConfiguration/maximumPages`` pages, or, when the request names a snapshot
    /// or a cluster, a snapshot that is not that one (see ``DescribeDBClusterSnapshotsRequest/mismatch(_:)``).
    public func describeDBClusterSnapshots(_ request: DescribeDBClusterSnapshotsRequest = .init()) async throws -> [DBClusterSnapshot] {
        let action = NeptuneOperation.describeDBClusterSnapshots.rawValue
        let maximumPages = engine.configuration.maximumPages
        func failure(_ message: String) -> NeptuneAPIError {
            NeptuneAPIError(code: .unparseableResponse, message: message, httpStatus: 200, action: action, region: region)
        }
        let ahead = PagesAhead(limit: maximumPages - 1)  // the first page is not requested ahead
        let engine = engine
        @Sendable func fetchPage(_ marker: String?) async throws -> XMLNode {
            try await engine.call(action, request.queryParameters(marker: marker), beforeDecoding: { body in
                guard let next = EarlyMarker.read(body, action: action) else { return }
                ahead.request(next) { try await fetchPage(next) }
            })
        }
        return try await withTaskCancellationHandler {
            defer { ahead.cancelAll() }
            var snapshots: [DBClusterSnapshot] = []
            var pageOfMarker: [String: Int] = [:]
            var pages = 0
            var result = try await fetchPage(nil)
            repeat {
                pages += 1
                let page = (result.child("DBClusterSnapshots")?.children(named: "DBClusterSnapshot") ?? []).map(DBClusterSnapshot.init(xml:))
                for snapshot in page {
                    if let mismatch = request.mismatch(snapshot) { throw failure(mismatch) }
                }
                snapshots += page
                guard let next = result.trimmed("Marker") else { break }
                if let earlier = pageOfMarker[next] {
                    throw failure("page \(pages) has the same pagination marker as page \(earlier), so the pages would repeat forever; stopped after \(pages) pages.")
                }
                guard pages < maximumPages else {
                    throw failure("the service sent a pagination marker on each of \(pages) pages, the most snapcopy follows (\(maximumPages * request.pageSize) snapshots at \(request.pageSize) a page); stopped.")
                }
                pageOfMarker[next] = pages
                if let early = ahead.take(next) {
                    result = try await early.value
                } else {
                    result = try await fetchPage(next)
                }
            } while true
            return snapshots
        } onCancel: {
            ahead.cancelAll()
        }
    }

    /// Describes one snapshot by identifier or ARN; `nil` when it does not exist.
    ///
    /// - Throws: ``NeptuneAPIError`` with ``NeptuneAPIError/Code/unparseableResponse`` when the
    ///   service answers with another snapshot: that answer says nothing about whether this one
    ///   exists, so it is neither taken for it nor read as "not found".
    public func describeDBClusterSnapshot(identifier: String) async throws -> DBClusterSnapshot? {
        do {
            return try await describeDBClusterSnapshots(DescribeDBClusterSnapshotsRequest(snapshotIdentifier: identifier)).first
        } catch let error as NeptuneAPIError where error.code == .dbClusterSnapshotNotFound {
            return nil
        }
    }

    /// Lists the tags of a resource.
    public func listTagsForResource(arn: String) async throws -> [Tag] {
        let result = try await engine.call(NeptuneOperation.listTagsForResource.rawValue, [("ResourceName", arn)])
        return Tag.list(xml: result.child("TagList"))
    }

    /// Adds (or overwrites) tags on a resource. Does nothing for an empty list.
    public func addTagsToResource(arn: String, tags: [Tag]) async throws {
        guard !tags.isEmpty else { return }
        _ = try await engine.call(NeptuneOperation.addTagsToResource.rawValue, [("ResourceName", arn)] + Tag.queryParameters(tags))
    }

    /// Removes tags by key (`TagKeys.member.N`). Does nothing for an empty list.
    public func removeTagsFromResource(arn: String, tagKeys: [String]) async throws {
        guard !tagKeys.isEmpty else { return }
        var parameters = [("ResourceName", arn)]
        for (offset, key) in tagKeys.enumerated() { parameters.append(("TagKeys.member.\(offset + 1)", key)) }
        _ = try await engine.call(NeptuneOperation.removeTagsFromResource.rawValue, parameters)
    }

    /// Deletes a snapshot and returns it as the service last described it.
    ///
    /// If an attempt fails ambiguously and the retry finds the snapshot gone
    /// (`DBClusterSnapshotNotFoundFault`), the earlier attempt deleted it: this returns a
    /// snapshot with only the identifier and status `deleted`.
    public func deleteDBClusterSnapshot(identifier: String) async throws -> DBClusterSnapshot {
        let action = NeptuneOperation.deleteDBClusterSnapshot.rawValue
        return try await engine.withRetries(action: action, idempotent: true) { attempt in
            do {
                let result = try await engine.send(action, [("DBClusterSnapshotIdentifier", identifier)], attempt: attempt)
                return try snapshot(in: result, action: action, named: identifier)
            } catch let error as NeptuneAPIError where error.code == .dbClusterSnapshotNotFound && attempt > 1 {
                return DBClusterSnapshot(identifier: identifier, status: "deleted")
            }
        }
    }

    /// The `<DBClusterSnapshot>` of a result, which must be the snapshot `identifier` names,
    /// or an error naming what is missing or wrong.
    func snapshot(in result: XMLNode, action: String, named identifier: String) throws -> DBClusterSnapshot {
        guard let node = result.child("DBClusterSnapshot") else {
            throw NeptuneAPIError(code: .unparseableResponse, message: "the response has no <DBClusterSnapshot> element.", httpStatus: 200, action: action, region: region)
        }
        let snapshot = DBClusterSnapshot(xml: node)
        if let mismatch = snapshot.mismatch(for: identifier) {
            throw NeptuneAPIError(code: .unparseableResponse, message: mismatch + ".", httpStatus: 200, action: action, region: region)
        }
        return snapshot
    }
}

/// The pages of one listing requested ahead of the loop that reads them, by the marker each was
/// requested with: each marker at most once, at most `limit` in all, none once cancelled.
private final class PagesAhead: @unchecked Sendable {
    private let lock = NSLock()
    private let limit: Int
    private var requested: Set<String> = []
    private var pages: [String: Task<XMLNode, any Error>] = [:]
    private var isCancelled = false

    init(limit: Int) {
        self.limit = limit
    }

    /// Starts `fetch` for `marker` unless that marker was requested before, the limit is reached, or
    /// the listing is over.
    func request(_ marker: String, _ fetch: @escaping @Sendable () async throws -> XMLNode) {
        lock.withLock {
            guard !isCancelled, requested.count < limit, requested.insert(marker).inserted else { return }
            pages[marker] = Task { try await fetch() }
        }
    }

    /// The page requested ahead with `marker`, if any; the caller now owns it.
    func take(_ marker: String) -> Task<XMLNode, any Error>? {
        lock.withLock { pages.removeValue(forKey: marker) }
    }

    /// Cancels every page not taken and refuses new ones: the listing ended, failed or was cancelled.
    func cancelAll() {
        let left = lock.withLock {
            isCancelled = true
            defer { pages = [:] }
            return Array(pages.values)
        }
        for page in left { page.cancel() }
    }
}
