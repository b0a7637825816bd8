/// The Neptune operations snapcopy calls, with whether a blind retry is harmless.
public enum NeptuneOperation: String, Sendable, CaseIterable {
    /// `DescribeDBClusterSnapshots` (read-only).
    case describeDBClusterSnapshots = "DescribeDBClusterSnapshots"
    /// `ListTagsForResource` (read-only).
    case listTagsForResource = "ListTagsForResource"
    /// `CopyDBClusterSnapshot`: creates a snapshot, so never retried blindly.
    case copyDBClusterSnapshot = "CopyDBClusterSnapshot"
    /// `AddTagsToResource`: setting the same tags twice is harmless.
    case addTagsToResource = "AddTagsToResource"
    /// `RemoveTagsFromResource`: removing absent keys is harmless.
    case removeTagsFromResource = "RemoveTagsFromResource"
    /// `DeleteDBClusterSnapshot`: retried; a `NotFound` on a retry means an earlier attempt worked.
    case deleteDBClusterSnapshot = "DeleteDBClusterSnapshot"

    /// Whether the client may resend the request after an ambiguous failure
    /// (timeout, dropped connection, 5xx) without checking first.
    public var isIdempotent: Bool {
        switch self {
        case .describeDBClusterSnapshots, .listTagsForResource, .addTagsToResource, .removeTagsFromResource, .deleteDBClusterSnapshot:
            return true
        case .copyDBClusterSnapshot:
            return false
        }
    }
}
