/// An AWS partition: its DNS suffixes, as botocore's `partitions.json` lists them.
public struct AWSPartition: Sendable, Equatable {
    /// The partition id, the second field of ARNs: `aws`, `aws-cn`, `aws-us-gov`, ...
    public var id: String
    /// The DNS suffix of regional endpoints, e.g. `amazonaws.com.cn`.
    public var dnsSuffix: String
    /// The DNS suffix of dual-stack endpoints, e.g. `api.aws`.
    public var dualStackDNSSuffix: String

    /// The standard partition.
    public static let aws = AWSPartition(id: "aws", dnsSuffix: "amazonaws.com", dualStackDNSSuffix: "api.aws")
    /// China (Beijing, Ningxia).
    public static let china = AWSPartition(id: "aws-cn", dnsSuffix: "amazonaws.com.cn", dualStackDNSSuffix: "api.amazonwebservices.com.cn")
    /// AWS GovCloud (US).
    public static let govCloud = AWSPartition(id: "aws-us-gov", dnsSuffix: "amazonaws.com", dualStackDNSSuffix: "api.aws")

    /// Every partition with its region-name prefix, the most specific prefix first.
    static let byRegionPrefix: [(prefix: String, partition: AWSPartition)] = [
        ("cn-", .china),
        ("us-gov-", .govCloud),
        ("us-isob-", AWSPartition(id: "aws-iso-b", dnsSuffix: "sc2s.sgov.gov", dualStackDNSSuffix: "api.aws.scloud")),
        ("us-isof-", AWSPartition(id: "aws-iso-f", dnsSuffix: "csp.hci.ic.gov", dualStackDNSSuffix: "api.aws.hci.ic.gov")),
        ("us-iso-", AWSPartition(id: "aws-iso", dnsSuffix: "c2s.ic.gov", dualStackDNSSuffix: "api.aws.ic.gov")),
        ("eu-isoe-", AWSPartition(id: "aws-iso-e", dnsSuffix: "cloud.adc-e.uk", dualStackDNSSuffix: "api.cloud-aws.adc-e.uk")),
        ("eusc-", AWSPartition(id: "aws-eusc", dnsSuffix: "amazonaws.eu", dualStackDNSSuffix: "api.amazonwebservices.eu")),
    ]

    /// The partition of `region` (the standard one for names no other partition claims).
    public static func of(region: String) -> AWSPartition {
        byRegionPrefix.first { region.hasPrefix($0.prefix) }?.partition ?? .aws
    }
}

/// Which variant of the AWS endpoints to use: from `AWS_USE_FIPS_ENDPOINT` /
/// `use_fips_endpoint`, `AWS_USE_DUALSTACK_ENDPOINT` / `use_dualstack_endpoint`, and
/// `AWS_STS_REGIONAL_ENDPOINTS` / `sts_regional_endpoints` (`regional`, the default, or `legacy`).
public struct EndpointOptions: Sendable, Equatable {
    /// FIPS 140 endpoints (`rds-fips.REGION...`; in GovCloud the regional endpoints are FIPS).
    public var useFIPS: Bool
    /// Dual-stack (IPv4 and IPv6) endpoints (`rds.REGION.api.aws`).
    public var useDualStack: Bool
    /// STS through `sts.amazonaws.com` for the regions that used it before regional endpoints.
    public var useLegacyGlobalSTS: Bool

    /// Creates options; the defaults are the standard regional endpoints.
    public init(useFIPS: Bool = false, useDualStack: Bool = false, useLegacyGlobalSTS: Bool = false) {
        self.useFIPS = useFIPS
        self.useDualStack = useDualStack
        self.useLegacyGlobalSTS = useLegacyGlobalSTS
    }
}
