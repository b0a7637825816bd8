import Foundation
import NeptuneAPI

/// An in-process Neptune that answers `DescribeDBClusterSnapshots` (paged) and
/// `ListTagsForResource` from memory after exactly `latency`, using no server CPU.
///
/// It stands in for the network so that the benchmark can measure snapcopy's own side
/// (signing, encoding, the limiter, XML decoding, the loader, the planner) against the
/// latency floor; moto cannot, because it serves one call at a time under a global lock.
final class SyntheticNeptune: HTTPTransport {
    /// One snapshot: its region, identifier and tags.
    struct Snapshot {
        var region: String
        var identifier: String
        var tags: [(String, String)]
    }

    let latency: Duration
    let pageSize: Int
    let account: String
    private let itemsByRegion: [String: [String]]
    private let tagsByARN: [String: String]
    private let calls = CallCount()

    init(snapshots: [Snapshot], account: String, latency: Duration, pageSize: Int) {
        self.latency = latency
        self.pageSize = pageSize
        self.account = account
        var items: [String: [String]] = [:]
        var tags: [String: String] = [:]
        for snapshot in snapshots {
            let arn = "arn:aws:rds:\(snapshot.region):\(account):cluster-snapshot:\(snapshot.identifier)"
            items[snapshot.region, default: []].append("""
                <DBClusterSnapshot><DBClusterSnapshotIdentifier>\(snapshot.identifier)</DBClusterSnapshotIdentifier>\
                <DBClusterIdentifier>graph</DBClusterIdentifier><SnapshotCreateTime>2026-11-20T03:00:00.512Z</SnapshotCreateTime>\
                <Engine>neptune</Engine><AllocatedStorage>0</AllocatedStorage><Status>available</Status><Port>8182</Port>\
                <EngineVersion>1.3.2.1</EngineVersion><SnapshotType>manual</SnapshotType><PercentProgress>100</PercentProgress>\
                <StorageEncrypted>false</StorageEncrypted><DBClusterSnapshotArn>\(arn)</DBClusterSnapshotArn></DBClusterSnapshot>
                """)
            tags[arn] = snapshot.tags.map { "<Tag><Key>\($0.0)</Key><Value>\($0.1)</Value></Tag>" }.joined()
        }
        itemsByRegion = items
        tagsByARN = tags
    }

    /// Calls answered so far, by action.
    var callsByAction: [String: Int] { calls.value }

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        try await Task.sleep(for: latency)
        let form = Self.decodeForm(request.body)
        let action = form["Action"] ?? "?"
        calls.add(action)
        let region = Self.region(of: request) ?? "us-east-1"
        let namespace = "xmlns=\"http://rds.amazonaws.com/doc/2014-10-31/\""
        switch action {
        case "DescribeDBClusterSnapshots":
            let items = itemsByRegion[region] ?? []
            let offset = form["Marker"].flatMap(Int.init) ?? 0
            let size = min(pageSize, form["MaxRecords"].flatMap(Int.init) ?? 100)
            let page = items[min(offset, items.count)..<min(offset + size, items.count)]
            let marker = offset + size < items.count ? "<Marker>\(offset + size)</Marker>" : ""
            return HTTPResponse(status: 200, text: """
                <DescribeDBClusterSnapshotsResponse \(namespace)><DescribeDBClusterSnapshotsResult>\(marker)\
                <DBClusterSnapshots>\(page.joined())</DBClusterSnapshots></DescribeDBClusterSnapshotsResult>\
                <ResponseMetadata><RequestId>synthetic</RequestId></ResponseMetadata></DescribeDBClusterSnapshotsResponse>
                """)
        case "ListTagsForResource":
            let tags = form["ResourceName"].flatMap { tagsByARN[$0] } ?? ""
            return HTTPResponse(status: 200, text: """
                <ListTagsForResourceResponse \(namespace)><ListTagsForResourceResult><TagList>\(tags)</TagList>\
                </ListTagsForResourceResult><ResponseMetadata><RequestId>synthetic</RequestId></ResponseMetadata></ListTagsForResourceResponse>
                """)
        default:
            return HTTPResponse(status: 400, text: """
                <ErrorResponse><Error><Type>Sender</Type><Code>InvalidAction</Code><Message>\(action) is not synthesised</Message></Error></ErrorResponse>
                """)
        }
    }

    /// The region of the SigV4 credential scope in the Authorization header.
    static func region(of request: HTTPRequest) -> String? {
        guard let authorization = request.header("authorization"),
              let credential = authorization.split(separator: " ").first(where: { $0.hasPrefix("Credential=") })
        else { return nil }
        let scope = credential.dropFirst("Credential=".count).split(separator: "/")
        return scope.count >= 3 ? String(scope[2]) : nil
    }

    static func decodeForm(_ body: Data) -> [String: String] {
        var form: [String: String] = [:]
        for pair in String(decoding: body, as: UTF8.self).split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map {
                $0.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String($0)
            }
            form[parts[0]] = parts.count > 1 ? parts[1] : ""
        }
        return form
    }
}

/// A thread-safe tally.
final class CallCount: @unchecked Sendable {
    private let lock = NSLock()
    private var counts: [String: Int] = [:]

    func add(_ action: String) { lock.withLock { counts[action, default: 0] += 1 } }
    var value: [String: Int] { lock.withLock { counts } }
}
