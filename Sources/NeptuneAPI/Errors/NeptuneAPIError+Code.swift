extension NeptuneAPIError {
    /// A normalised error code: known codes have named constants, anything else keeps its
    /// wire value. Aliases (with or without `Fault`, moto's spellings, the many throttling
    /// codes) map onto one constant, so compare with `==`.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The canonical wire spelling (the model's), or the raw code when unknown.
        public let rawValue: String

        private init(canonical: String) { rawValue = canonical }

        /// Normalises a wire code.
        public init(wire code: String) {
            let trimmed = code.trimmingXMLWhitespace()
            self = Self.aliases[trimmed] ?? Code(canonical: trimmed)
        }

        /// The wire code.
        public var description: String { rawValue }

        /// `DBClusterSnapshotNotFoundFault` (moto: also `DBClusterSnapshotNotFound`).
        public static let dbClusterSnapshotNotFound = Code(canonical: "DBClusterSnapshotNotFoundFault")
        /// `DBClusterSnapshotAlreadyExistsFault`.
        public static let dbClusterSnapshotAlreadyExists = Code(canonical: "DBClusterSnapshotAlreadyExistsFault")
        /// `SnapshotQuotaExceeded` (the model's code for `SnapshotQuotaExceededFault`).
        public static let snapshotQuotaExceeded = Code(canonical: "SnapshotQuotaExceeded")
        /// `KMSKeyNotAccessibleFault`.
        public static let kmsKeyNotAccessible = Code(canonical: "KMSKeyNotAccessibleFault")
        /// `InvalidDBClusterSnapshotStateFault`.
        public static let invalidDBClusterSnapshotState = Code(canonical: "InvalidDBClusterSnapshotStateFault")
        /// `InvalidDBClusterStateFault`.
        public static let invalidDBClusterState = Code(canonical: "InvalidDBClusterStateFault")
        /// `DBClusterNotFoundFault`.
        public static let dbClusterNotFound = Code(canonical: "DBClusterNotFoundFault")
        /// `DBSnapshotNotFound` (sent by the tagging operations for unknown resources).
        public static let dbSnapshotNotFound = Code(canonical: "DBSnapshotNotFound")
        /// `DBInstanceNotFound` (sent by the tagging operations for unknown resources).
        public static let dbInstanceNotFound = Code(canonical: "DBInstanceNotFound")
        /// `Throttling` and every other throttling code botocore's standard mode knows.
        public static let throttling = Code(canonical: "Throttling")
        /// `AccessDenied` / `AccessDeniedException` / `UnauthorizedOperation`.
        public static let accessDenied = Code(canonical: "AccessDenied")
        /// `SignatureDoesNotMatch`.
        public static let signatureDoesNotMatch = Code(canonical: "SignatureDoesNotMatch")
        /// `InvalidClientTokenId` / `UnrecognizedClientException`.
        public static let invalidClientTokenID = Code(canonical: "InvalidClientTokenId")
        /// `ExpiredToken` / `ExpiredTokenException` / `RequestExpired`.
        public static let expiredToken = Code(canonical: "ExpiredToken")
        /// `IncompleteSignature` / `MissingAuthenticationToken`.
        public static let incompleteSignature = Code(canonical: "IncompleteSignature")
        /// `InvalidParameterValue`.
        public static let invalidParameterValue = Code(canonical: "InvalidParameterValue")
        /// `InvalidParameterCombination`.
        public static let invalidParameterCombination = Code(canonical: "InvalidParameterCombination")
        /// `MissingParameter`.
        public static let missingParameter = Code(canonical: "MissingParameter")
        /// `InternalFailure` / `InternalError` / `ServiceUnavailable`.
        public static let internalFailure = Code(canonical: "InternalFailure")
        /// `RequestTimeout` / `RequestTimeoutException`.
        public static let requestTimeout = Code(canonical: "RequestTimeout")
        /// `InvalidIdentityToken` (STS web identity).
        public static let invalidIdentityToken = Code(canonical: "InvalidIdentityToken")
        /// `RegionDisabledException` (STS).
        public static let regionDisabled = Code(canonical: "RegionDisabledException")
        /// Synthetic: the response was not an acceptable AWS answer: not the action's XML (an
        /// HTML page, JSON, empty, truncated, too deeply nested), or not a consistent one (a
        /// pagination marker seen before, markers past the page cap, another snapshot than the
        /// one asked for). Not retried unless its HTTP status is (502, 503, ...).
        public static let unparseableResponse = Code(canonical: "UnparseableResponse")

        /// Codes botocore's standard retry mode treats as throttling.
        public static let throttlingWireCodes: [String] = [
            "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
            "TooManyRequestsException", "ProvisionedThroughputExceededException", "TransactionInProgressException",
            "RequestLimitExceeded", "BandwidthLimitExceeded", "LimitExceededException", "RequestThrottled",
            "SlowDown", "PriorRequestNotComplete", "EC2ThrottledException",
        ]

        private static let aliases: [String: Code] = {
            var table: [String: Code] = [:]
            let known: [Code] = [
                .dbClusterSnapshotNotFound, .dbClusterSnapshotAlreadyExists, .snapshotQuotaExceeded, .kmsKeyNotAccessible,
                .invalidDBClusterSnapshotState, .invalidDBClusterState, .dbClusterNotFound, .dbSnapshotNotFound,
                .dbInstanceNotFound, .throttling, .accessDenied, .signatureDoesNotMatch, .invalidClientTokenID, .expiredToken,
                .incompleteSignature, .invalidParameterValue, .invalidParameterCombination, .missingParameter,
                .internalFailure, .requestTimeout, .invalidIdentityToken, .regionDisabled,
            ]
            for code in known {
                table[code.rawValue] = code
                // Accept the spelling with and without a `Fault` suffix (moto differs from the model).
                if code.rawValue.hasSuffix("Fault") {
                    table[String(code.rawValue.dropLast(5))] = code
                } else {
                    table[code.rawValue + "Fault"] = code
                }
            }
            for wire in throttlingWireCodes { table[wire] = .throttling }
            table["AccessDeniedException"] = .accessDenied
            table["UnauthorizedOperation"] = .accessDenied
            table["UnrecognizedClientException"] = .invalidClientTokenID
            table["ExpiredTokenException"] = .expiredToken
            table["RequestExpired"] = .expiredToken
            table["MissingAuthenticationToken"] = .incompleteSignature
            table["InternalError"] = .internalFailure
            table["ServiceUnavailable"] = .internalFailure
            table["RequestTimeoutException"] = .requestTimeout
            table["InvalidIdentityTokenException"] = .invalidIdentityToken
            return table
        }()

        /// What to do about common errors, as a sentence.
        var hint: String? {
            switch self {
            case .accessDenied:
                return "Check the IAM policy of the credentials (or assumed role) in use."
            case .signatureDoesNotMatch:
                return "Check the secret access key and that the system clock is correct."
            case .invalidClientTokenID:
                return "The access key ID is not known to AWS: check the credentials in use."
            case .expiredToken:
                return "The session token has expired: refresh the credentials and run again."
            case .incompleteSignature:
                return "The request was not signed correctly: check the credentials in use."
            case .throttling:
                return "AWS throttled the request: lower --parallelism or try again later."
            case .kmsKeyNotAccessible:
                return "Check that the KMS key exists in the destination region and that the key policy allows its use."
            case .snapshotQuotaExceeded:
                return "Delete old manual snapshots or ask AWS for a higher snapshot quota."
            default:
                return nil
            }
        }
    }
}
