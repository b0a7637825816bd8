import Foundation
import NeptuneAPI
import SnapcopyCore

/// The production `SnapshotService`: the Neptune API through one `NeptuneClientFactory`.
///
/// One client per (region, role) for the run, sharing the factory's transport, limiter and log;
/// roles are assumed through STS once and their sessions cached by the factory. API errors
/// become `SnapshotServiceError`s whose message keeps the API's sentence, action, region and
/// request ID, with anything secret-looking redacted.
///
/// Listing describes every snapshot type the call returns without a `SnapshotType` filter
/// (manual and automated: a manifest may copy an automated `rds:...` snapshot), plus manual
/// snapshots shared with the account when `includeShared` is set. Public snapshots are not
/// listed. Other engines come back too; `LiveStateLoader` keeps Neptune's.
public struct NeptuneSnapshotService: SnapshotService {
    /// Page size asked of `DescribeDBClusterSnapshots` (the API's maximum).
    public static let pageSize = 100

    private let clients: ClientCache
    private let redactor: SecretRedactor
    private let debugLog: (@Sendable (String) -> Void)?

    /// Creates a service.
    /// - Parameters:
    ///   - factory: Hands out clients per (region, role), sharing one configuration.
    ///   - secrets: Values never to print (e.g. the environment's secret key), as a last resort.
    ///   - debugLog: Receives a line for each listed item that had to be skipped.
    public init(factory: NeptuneClientFactory, secrets: [String] = [], debugLog: (@Sendable (String) -> Void)? = nil) {
        clients = ClientCache(factory: factory)
        redactor = SecretRedactor(secrets: secrets)
        self.debugLog = debugLog
    }

    /// The configuration a run shares: the process's transport (pooled keep-alive connections,
    /// at least one per concurrent call), one limiter of `parallelism` permits, the standard
    /// retry policy, and `log` for `--debug`.
    public static func makeClientConfiguration(transport: any HTTPTransport, parallelism: Int, log: RequestLog? = nil) -> ClientConfiguration {
        ClientConfiguration(
            transport: transport,
            log: log,
            limiter: ConcurrencyLimiter(parallelism: parallelism)
        )
    }

    public func listSnapshots(in scope: AccountScope, includeShared: Bool) async throws -> [LiveSnapshot] {
        let client = await clients.client(for: scope)
        let request = DescribeDBClusterSnapshotsRequest(includeShared: includeShared, maxRecords: Self.pageSize)
        let described = try await mapErrors { try await client.describeDBClusterSnapshots(request) }
        return described.compactMap { snapshot in
            switch Self.makeLiveSnapshot(snapshot) {
            case .success(let live):
                return live
            case .failure(let skipped):
                debugLog?("skipped a snapshot listed in \(scope): \(skipped.message)")
                return nil
            }
        }
    }

    public func tags(of arn: String, in scope: AccountScope) async throws -> Tags {
        let client = await clients.client(for: scope)
        return Self.makeTags(try await mapErrors { try await client.listTagsForResource(arn: arn) })
    }

    public func copySnapshot(_ request: CopyRequest, in scope: AccountScope) async throws -> LiveSnapshot {
        let client = await clients.client(for: scope)
        let copy = CopyDBClusterSnapshotRequest(
            sourceIdentifier: request.source,
            targetIdentifier: request.target,
            kmsKeyID: request.kmsKeyID,
            copyTags: request.copyTags ? true : nil,
            tags: Self.makeTagList(request.tags),
            sourceRegion: request.sourceRegion
        )
        let created = try await mapErrors { try await client.copyDBClusterSnapshot(copy) }
        switch Self.makeLiveSnapshot(created) {
        case .success(let live):
            return live
        case .failure(let skipped):
            throw SnapshotServiceError(.other, "Neptune CopyDBClusterSnapshot in \(scope.region) started a copy of \(request.target), but the answer cannot be used: \(skipped.message)")
        }
    }

    public func addTags(_ tags: Tags, to arn: String, in scope: AccountScope) async throws {
        let client = await clients.client(for: scope)
        try await mapErrors { try await client.addTagsToResource(arn: arn, tags: Self.makeTagList(tags)) }
    }

    public func removeTags(_ keys: [String], from arn: String, in scope: AccountScope) async throws {
        let client = await clients.client(for: scope)
        try await mapErrors { try await client.removeTagsFromResource(arn: arn, tagKeys: keys.sorted()) }
    }

    public func deleteSnapshot(identifier: String, in scope: AccountScope) async throws {
        let client = await clients.client(for: scope)
        _ = try await mapErrors { try await client.deleteDBClusterSnapshot(identifier: identifier) }
    }

    // MARK: - Errors

    private func mapErrors<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch {
            throw Self.serviceError(for: error, redactor: redactor)
        }
    }

    /// The `SnapshotServiceError` for an error of the API client, or the error itself when it
    /// is a cancellation or already a service error.
    static func serviceError(for error: any Error, redactor: SecretRedactor = SecretRedactor()) -> any Error {
        switch error {
        case is CancellationError, is SnapshotServiceError:
            return error
        case let error as NeptuneAPIError:
            return SnapshotServiceError(kind(of: error.code), redactor.redact(error.description))
        case let error as CredentialsError:
            return SnapshotServiceError(.accessDenied, redactor.redact(Self.describe(error)))
        case let error as TransportError:
            return SnapshotServiceError(.other, redactor.redact(error.description))
        default:
            return SnapshotServiceError(.other, redactor.redact(String(describing: error)))
        }
    }

    /// A credentials error for people: its first sentence, the places looked at one a line, and
    /// the fix; the message as it is when it names no places.
    static func describe(_ error: CredentialsError) -> String {
        let message = error.message
        guard !error.placesTried.isEmpty,
              let headEnd = message.range(of: ". "),
              let fixStart = message.range(of: ". ", options: .backwards), fixStart.lowerBound > headEnd.lowerBound
        else {
            return message
        }
        var lines = ["\(message[..<headEnd.lowerBound]).", "  looked at:"]
        lines += error.placesTried.enumerated().map { "    \($0.offset + 1). \($0.element)" }
        lines.append("  fix: \(message[fixStart.upperBound...])")
        return lines.joined(separator: "\n")
    }

    /// How the planner and applier should read an API error code.
    static func kind(of code: NeptuneAPIError.Code) -> SnapshotServiceError.Kind {
        switch code {
        case .dbClusterSnapshotNotFound, .dbSnapshotNotFound, .dbClusterNotFound: .notFound
        case .dbClusterSnapshotAlreadyExists: .alreadyExists
        case .snapshotQuotaExceeded: .quotaExceeded
        case .invalidDBClusterSnapshotState, .invalidDBClusterState: .invalidState
        case .kmsKeyNotAccessible: .kmsKeyNotAccessible
        case .accessDenied, .signatureDoesNotMatch, .invalidClientTokenID, .expiredToken, .incompleteSignature: .accessDenied
        case .throttling: .throttled
        default: .other
        }
    }
}

// MARK: - Mapping

extension NeptuneSnapshotService {
    /// Why a listed item was not turned into a `LiveSnapshot`.
    struct SkippedSnapshot: Error, Equatable {
        var message: String
    }

    /// The `LiveSnapshot` of an API snapshot, mapped by the core's one mapping of the AWS shape;
    /// fails when its ARN is missing or not a cluster snapshot ARN. Tags come from the response's
    /// `TagList` when it has one, else they are unknown.
    static func makeLiveSnapshot(_ snapshot: DBClusterSnapshot) -> Result<LiveSnapshot, SkippedSnapshot> {
        let members = DBClusterSnapshotMembers(
            identifier: snapshot.identifier, arn: snapshot.arn, clusterIdentifier: snapshot.clusterIdentifier,
            status: snapshot.status, percentProgress: snapshot.percentProgress, engine: snapshot.engine,
            storageEncrypted: snapshot.storageEncrypted, kmsKeyID: snapshot.kmsKeyID, snapshotType: snapshot.snapshotType,
            createTime: snapshot.snapshotCreateTime, sourceARN: snapshot.sourceDBClusterSnapshotARN,
            tags: snapshot.tags.map(makeTags))
        do {
            return .success(try LiveSnapshot(members))
        } catch {
            return .failure(SkippedSnapshot(message: error.message))
        }
    }

    /// A tag list as `Tags` (a repeated key keeps its last value).
    static func makeTags(_ list: [Tag]) -> Tags {
        var tags = Tags()
        for tag in list { tags[tag.key] = tag.value }
        return tags
    }

    /// `Tags` as a tag list sorted by key.
    static func makeTagList(_ tags: Tags) -> [Tag] {
        tags.sorted.map { Tag(key: $0.key, value: $0.value) }
    }
}

/// One `NeptuneClient` per (region, role) for the run.
private actor ClientCache {
    private let factory: NeptuneClientFactory
    private var clients: [AccountScope: NeptuneClient] = [:]

    init(factory: NeptuneClientFactory) {
        self.factory = factory
    }

    func client(for scope: AccountScope) async -> NeptuneClient {
        if let client = clients[scope] { return client }
        let client = await factory.client(region: scope.region, roleARN: scope.roleARN)
        if let existing = clients[scope] { return existing }  // another caller won the race
        clients[scope] = client
        return client
    }
}
