import Foundation
import Testing
@testable import NeptuneAPI

/// The listing requests the next page as soon as a page's body arrives, reading its marker off the raw
/// bytes (``EarlyMarker``), so decoding a page overlaps the next round trip. The decoded page decides.
@Suite("describe pages requested ahead")
struct PageAheadTests {
    static let action = "DescribeDBClusterSnapshots"

    static func page(_ identifiers: [String], marker: String?, markerFirst: Bool = true) -> String {
        let snapshots = identifiers.map {
            "<DBClusterSnapshot><DBClusterSnapshotIdentifier>\($0)</DBClusterSnapshotIdentifier><Engine>neptune</Engine><Status>available</Status></DBClusterSnapshot>"
        }.joined()
        let markerXML = marker.map { "\n  <Marker>\($0)</Marker>\n  " } ?? ""
        let inside = markerFirst ? markerXML + "<DBClusterSnapshots>\(snapshots)</DBClusterSnapshots>"
                                 : "<DBClusterSnapshots>\(snapshots)</DBClusterSnapshots>" + markerXML
        return "<DescribeDBClusterSnapshotsResponse xmlns=\"http://rds.amazonaws.com/doc/2014-10-31/\"><DescribeDBClusterSnapshotsResult>\(inside)</DescribeDBClusterSnapshotsResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></DescribeDBClusterSnapshotsResponse>"
    }

    @Test("the marker is read where it is a child of the result for sure: first (as AWS sends it) or last")
    func readsFirstAndLastChild() {
        #expect(EarlyMarker.read(Data(Self.page(["a"], marker: "m-2==").utf8), action: Self.action) == "m-2==")
        #expect(EarlyMarker.read(Data(Self.page(["a"], marker: "m-2==", markerFirst: false).utf8), action: Self.action) == "m-2==")
        #expect(EarlyMarker.read(Data(Self.page(["a"], marker: nil).utf8), action: Self.action) == nil)
    }

    @Test("anything ambiguous reads as no marker: nested, entity references, markup, empty, another action, truncated", arguments: [
        "<DescribeDBClusterSnapshotsResult><DBClusterSnapshots/><Extra><Marker>not-a-marker</Marker></Extra></DescribeDBClusterSnapshotsResult>",
        "<DescribeDBClusterSnapshotsResult><Extra><Marker>not-a-marker</Marker></Extra><DBClusterSnapshots/></DescribeDBClusterSnapshotsResult>",
        "<DescribeDBClusterSnapshotsResult><Marker>a&amp;b</Marker></DescribeDBClusterSnapshotsResult>",
        "<DescribeDBClusterSnapshotsResult><Marker>a<b/>c</Marker><DBClusterSnapshots/></DescribeDBClusterSnapshotsResult>",
        "<DescribeDBClusterSnapshotsResult><DBClusterSnapshots/><Marker>a<!-- c --></Marker></DescribeDBClusterSnapshotsResult>",
        "<DescribeDBClusterSnapshotsResult><Marker>  </Marker></DescribeDBClusterSnapshotsResult>",
        "<ListTagsForResourceResult><Marker>m</Marker></ListTagsForResourceResult>",
        "<DescribeDBClusterSnapshotsResult><Marker>m",
        "",
    ])
    func ambiguous(body: String) {
        #expect(EarlyMarker.read(Data(body.utf8), action: Self.action) == nil)
    }

    @Test("on every describe seed of the XML fuzzer, a marker read early is the one the decoded page carries")
    func agreesWithTheDecoder() throws {
        let seeds = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fuzz/XMLResponse/seeds")
        var readEarly = 0
        for file in try FileManager.default.contentsOfDirectory(atPath: seeds.path).sorted() {
            let body = try Data(contentsOf: seeds.appendingPathComponent(file))
            guard let early = EarlyMarker.read(body, action: Self.action) else { continue }
            readEarly += 1
            let decoded = try? XMLTreeParser.parse(body).child("DescribeDBClusterSnapshotsResult")?.trimmed("Marker")
            #expect(decoded == early, "\(file)")
        }
        #expect(readEarly >= 1, "no seed has a marker read early")
    }

    @Test("page 2 is requested while page 1 is still being decoded, and every page is requested once",
          .disabled("flaky under the full suite's load: the log handler blocks a cooperative thread; to be rewritten without blocking"))
    func requestsAhead() async throws {
        // The log entry of page 1's attempt is written after page 1 is decoded; it waits (up to 10 s)
        // for page 2's request. Without requests ahead, page 2 is asked for only after page 1's call
        // returns, so the wait runs out.
        let page2Requested = DispatchSemaphore(value: 0)
        let order = Order()
        let transport = ScriptedTransport(fallback: { request in
            let marker = formParameters(request.body)["Marker"]
            order.note("request \(marker ?? "first")")
            switch marker {
            case nil: return HTTPResponse(status: 200, text: Self.page(["s1", "s2"], marker: "m2"))
            case "m2":
                page2Requested.signal()
                return HTTPResponse(status: 200, text: Self.page(["s3"], marker: "m3", markerFirst: false))
            default: return HTTPResponse(status: 200, text: Self.page(["s4"], marker: nil))
            }
        })
        let log = RequestLog { entry in
            if order.claimFirstEntry() {
                order.note(page2Requested.wait(timeout: .now() + 10) == .success ? "page 1 decoded after page 2 was requested" : "page 1 decoded, page 2 not requested")
            }
        }
        let configuration = ClientConfiguration(transport: transport, sleeper: RecordingSleeper(), log: log, now: { vectorDate })
        let client = NeptuneClient(region: "us-east-1", credentials: StaticCredentialProvider(suiteCredentials), configuration: configuration)
        let snapshots = try await client.describeDBClusterSnapshots()
        #expect(snapshots.map(\.identifier) == ["s1", "s2", "s3", "s4"])
        #expect(order.events.contains("page 1 decoded after page 2 was requested"), "\(order.events)")
        #expect(await transport.requests.map { formParameters($0.body)["Marker"] ?? "first" } == ["first", "m2", "m3"])
    }

    /// Notes events from the transport and the log, which run on different tasks.
    final class Order: @unchecked Sendable {
        private let lock = NSLock()
        private var noted: [String] = []
        private var firstEntryClaimed = false
        var events: [String] { lock.withLock { noted } }
        func note(_ event: String) { lock.withLock { noted.append(event) } }
        /// True for the first caller only.
        func claimFirstEntry() -> Bool {
            lock.withLock { defer { firstEntryClaimed = true }; return !firstEntryClaimed }
        }
    }
}
