import Foundation

/// Default endpoints of the services snapcopy calls, per partition and variant, following the
/// endpoint rule sets botocore ships for `neptune` (RDS), `sts` and `sso`.
public enum AWSEndpoint {
    /// The regions whose STS calls went to `sts.amazonaws.com` before regional endpoints
    /// (`sts_regional_endpoints = legacy`).
    static let legacyGlobalSTSRegions: Set<String> = [
        "ap-northeast-1", "ap-south-1", "ap-southeast-1", "ap-southeast-2", "aws-global", "ca-central-1",
        "eu-central-1", "eu-north-1", "eu-west-1", "eu-west-2", "eu-west-3", "sa-east-1",
        "us-east-1", "us-east-2", "us-west-1", "us-west-2",
    ]

    /// The DNS suffix of a region's partition.
    static func dnsSuffix(region: String) -> String {
        AWSPartition.of(region: region).dnsSuffix
    }

    /// `https://PREFIX[-fips].REGION.SUFFIX/` for the options, or a placeholder that fails
    /// loudly when the region is not a valid host label.
    static func make(prefix: String, region: String, options: EndpointOptions) -> URL {
        let valid = !region.isEmpty && region.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
        guard valid else { return URL(string: "https://\(prefix).invalid-region.invalid/") ?? URL(fileURLWithPath: "/") }
        let partition = AWSPartition.of(region: region)
        let host: String
        switch (options.useFIPS, options.useDualStack) {
        case (true, true): host = "\(prefix)-fips.\(region).\(partition.dualStackDNSSuffix)"
        case (true, false):
            // GovCloud's regional endpoints are its FIPS endpoints.
            host = partition.id == "aws-us-gov" && prefix != "portal.sso" ? "\(prefix).\(region).amazonaws.com" : "\(prefix)-fips.\(region).\(partition.dnsSuffix)"
        case (false, true): host = "\(prefix).\(region).\(partition.dualStackDNSSuffix)"
        case (false, false): host = "\(prefix).\(region).\(partition.dnsSuffix)"
        }
        return URL(string: "https://\(host)/") ?? URL(fileURLWithPath: "/")
    }

    /// Neptune's control plane: `https://rds.REGION.amazonaws.com/` and its variants.
    public static func neptune(region: String, options: EndpointOptions = EndpointOptions()) -> URL {
        make(prefix: "rds", region: region, options: options)
    }

    /// STS: regional (`https://sts.REGION.amazonaws.com/`) and its variants, or the legacy
    /// global `https://sts.amazonaws.com/` when asked for and the region used it.
    public static func sts(region: String, options: EndpointOptions = EndpointOptions()) -> URL {
        if usesGlobalSTS(region: region, options: options) {
            return URL(string: "https://sts.amazonaws.com/") ?? make(prefix: "sts", region: region, options: options)
        }
        return make(prefix: "sts", region: region, options: options)
    }

    /// Whether STS calls for `region` go to the legacy global endpoint (signed for us-east-1).
    static func usesGlobalSTS(region: String, options: EndpointOptions) -> Bool {
        options.useLegacyGlobalSTS && !options.useFIPS && !options.useDualStack && legacyGlobalSTSRegions.contains(region)
    }

    /// The IAM Identity Center portal: `https://portal.sso.REGION.amazonaws.com/` and its variants.
    public static func sso(region: String, options: EndpointOptions = EndpointOptions()) -> URL {
        make(prefix: "portal.sso", region: region, options: options)
    }

    /// The endpoint with an empty path replaced by `/` (as botocore joins `requestUri`).
    static func normalized(_ url: URL) -> URL {
        guard var components = URLComponents(url: url, resolvingAgainstBaseURL: false) else { return url }
        if components.percentEncodedPath.isEmpty { components.percentEncodedPath = "/" }
        components.query = nil
        components.fragment = nil
        return components.url ?? url
    }
}
