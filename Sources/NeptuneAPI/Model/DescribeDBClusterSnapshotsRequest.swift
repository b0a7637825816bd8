/// Parameters of `DescribeDBClusterSnapshots`; the client fetches every page.
public struct DescribeDBClusterSnapshotsRequest: Sendable, Equatable {
    /// Describe one snapshot by identifier or ARN.
    public var snapshotIdentifier: String?
    /// Only snapshots of this cluster.
    public var clusterIdentifier: String?
    /// `automated`, `manual`, `shared` or `public`; `nil` for automated and manual.
    public var snapshotType: String?
    /// Include manual snapshots shared with this account.
    public var includeShared: Bool
    /// Include public snapshots.
    public var includePublic: Bool
    /// Page size, clamped to the API's 20...100.
    public var maxRecords: Int

    /// Creates a request; the defaults describe all automated and manual snapshots.
    public init(snapshotIdentifier: String? = nil, clusterIdentifier: String? = nil, snapshotType: String? = nil, includeShared: Bool = false, includePublic: Bool = false, maxRecords: Int = 100) {
        self.snapshotIdentifier = snapshotIdentifier
        self.clusterIdentifier = clusterIdentifier
        self.snapshotType = snapshotType
        self.includeShared = includeShared
        self.includePublic = includePublic
        self.maxRecords = maxRecords
    }

    /// The page size sent (`MaxRecords`): ``maxRecords`` clamped to 20...100.
    var pageSize: Int { min(100, max(20, maxRecords)) }

    /// Why `snapshot` cannot be part of the answer to this request, or `nil` when it can.
    ///
    /// With ``snapshotIdentifier`` every snapshot must be the one named (identifier or ARN,
    /// ignoring case as Neptune does); with ``clusterIdentifier`` every snapshot that names its
    /// cluster must name that one. A service (or a proxy's cache) answering with another
    /// snapshot is wrong, and the answer says nothing about the one asked for.
    public func mismatch(_ snapshot: DBClusterSnapshot) -> String? {
        if let wanted = snapshotIdentifier, let mismatch = snapshot.mismatch(for: wanted) {
            return "\(mismatch) (nor as a sign that \(wanted) does not exist)."
        }
        if let cluster = clusterIdentifier, let answered = snapshot.clusterIdentifier, !cluster.hasPrefix("arn:"),
           answered.lowercased() != cluster.lowercased() {
            return "the request was for snapshots of the cluster \(cluster) but the answer has \(snapshot.identifier ?? "a snapshot") of the cluster \(answered)."
        }
        return nil
    }

    /// Query parameters for one page, in the model's member order.
    func queryParameters(marker: String?) -> [(String, String)] {
        var parameters: [(String, String)] = []
        if let clusterIdentifier { parameters.append(("DBClusterIdentifier", clusterIdentifier)) }
        if let snapshotIdentifier { parameters.append(("DBClusterSnapshotIdentifier", snapshotIdentifier)) }
        if let snapshotType { parameters.append(("SnapshotType", snapshotType)) }
        parameters.append(("MaxRecords", String(pageSize)))
        if let marker { parameters.append(("Marker", marker)) }
        if includeShared { parameters.append(("IncludeShared", "true")) }
        if includePublic { parameters.append(("IncludePublic", "true")) }
        return parameters
    }
}
