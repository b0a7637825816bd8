/// Constants shared by the Neptune and STS clients.
///
/// Neptune's control plane is the RDS Query API: `POST https://rds.REGION.amazonaws.com/`
/// with a form-encoded body, XML responses and SigV4 signing name `rds`.
public enum NeptuneAPI {
    /// The version of snapcopy's API client, used in the default `User-Agent`.
    public static let version = "0.1.0"

    /// The default `User-Agent` header value: `snapcopy/VERSION`.
    public static let userAgent = userAgent(version: version)

    /// Builds a `User-Agent` header value for a given snapcopy version.
    public static func userAgent(version: String) -> String {
        "snapcopy/\(version)"
    }

    /// The Neptune (RDS Query) API version sent as `Version=`.
    public static let apiVersion = "2014-10-31"

    /// The XML namespace of Neptune responses.
    public static let xmlNamespace = "http://rds.amazonaws.com/doc/2014-10-31/"

    /// The SigV4 signing name for Neptune's control plane.
    public static let signingName = "rds"
}
