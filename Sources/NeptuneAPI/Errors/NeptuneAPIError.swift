import Foundation

/// An error answer from Neptune or STS, or a response that could not be understood.
///
/// ``code`` is normalised (`DBClusterSnapshotNotFound` and `DBClusterSnapshotNotFoundFault`
/// both give ``Code/dbClusterSnapshotNotFound``); ``wireCode`` keeps what was sent.
public struct NeptuneAPIError: Error, Sendable, Equatable {
    /// The normalised error code.
    public var code: Code
    /// The code exactly as the service sent it; `nil` for unparseable responses.
    public var wireCode: String?
    /// The service's message, or a description of what was wrong with the response.
    public var message: String
    /// The request ID, for AWS support.
    public var requestID: String?
    /// The HTTP status.
    public var httpStatus: Int
    /// The API action, e.g. `CopyDBClusterSnapshot`.
    public var action: String
    /// The region the request went to.
    public var region: String
    /// The service: `Neptune` or `STS`.
    public var service: String
    /// `Sender` or `Receiver`, when sent.
    public var faultType: String?
    /// The first ~200 characters of an unparseable body, sanitised; `nil` otherwise.
    public var bodySnippet: String?
    /// The delay the server asked for (`Retry-After` / `x-amz-retry-after`), if any.
    public var retryAfter: Duration?

    /// Creates an error.
    public init(code: Code, wireCode: String? = nil, message: String, requestID: String? = nil, httpStatus: Int, action: String, region: String, service: String = "Neptune", faultType: String? = nil, bodySnippet: String? = nil, retryAfter: Duration? = nil) {
        self.code = code
        self.wireCode = wireCode
        self.message = message
        self.requestID = requestID
        self.httpStatus = httpStatus
        self.action = action
        self.region = region
        self.service = service
        self.faultType = faultType
        self.bodySnippet = bodySnippet
        self.retryAfter = retryAfter
    }

    /// Whether the service said the request was throttled.
    public var isThrottling: Bool { code == .throttling }
}

extension NeptuneAPIError: CustomStringConvertible, LocalizedError {
    /// A sentence for users: what failed, where, why, and what to do when that is known.
    public var description: String {
        var text = "\(service) \(action) in \(region) failed"
        if code == .unparseableResponse {
            text += " with HTTP \(httpStatus): \(message)"
            if let bodySnippet, !bodySnippet.isEmpty { text += " Body starts with: \"\(bodySnippet)\"" }
            return text + " Check the endpoint URL and any proxy between snapcopy and AWS."
        }
        text += ": \(wireCode ?? code.rawValue) (HTTP \(httpStatus))"
        let trimmed = message.trimmingXMLWhitespace()
        if !trimmed.isEmpty { text += ": \(trimmed)" }
        if !text.hasSuffix(".") { text += "." }
        if let hint = code.hint { text += " \(hint)" }
        if let requestID { text += " (request ID \(requestID))" }
        return text
    }

    /// Same as ``description``.
    public var errorDescription: String? { description }
}
