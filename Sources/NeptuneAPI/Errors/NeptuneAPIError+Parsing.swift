import Foundation

extension NeptuneAPIError {
    /// Builds the error for a non-2xx response.
    ///
    /// Understands `<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>`
    /// and the EC2-style `<Response><Errors><Error>...`; anything else (HTML, empty,
    /// truncated) becomes ``Code/unparseableResponse`` carrying the status and a snippet.
    static func from(response: HTTPResponse, action: String, region: String, service: String) -> NeptuneAPIError {
        let root: XMLNode
        do {
            root = try XMLTreeParser.parse(response.body)
        } catch {
            return unparseable(response: response, reason: "the error body is not XML", action: action, region: region, service: service)
        }
        if let error = from(errorDocument: root, response: response, action: action, region: region, service: service) {
            return error
        }
        let reason = isErrorDocument(root) ? "the error body has no error code" : "the error body is <\(root.name)>, not an AWS error document"
        return unparseable(response: response, reason: reason, action: action, region: region, service: service)
    }

    /// Whether `root` is an AWS error document: `<ErrorResponse>`, or `<Response>` with `<Errors>` (EC2 style).
    static func isErrorDocument(_ root: XMLNode) -> Bool {
        root.name == "ErrorResponse" || (root.name == "Response" && root.child("Errors") != nil)
    }

    /// The error an error document carries (`<ErrorResponse>` or the EC2-style `<Response>`
    /// with `<Errors>`), whatever the HTTP status; `nil` when `root` is not one or has no code.
    static func from(errorDocument root: XMLNode, response: HTTPResponse, action: String, region: String, service: String) -> NeptuneAPIError? {
        guard isErrorDocument(root), let errorNode = root.descendant("Error"), let wireCode = errorNode.trimmed("Code").map(printable) else {
            return nil
        }
        let requestID = root.descendant("RequestId")?.text.trimmingXMLWhitespace()
            ?? root.descendant("RequestID")?.text.trimmingXMLWhitespace()
            ?? response.header("x-amzn-requestid")
        return NeptuneAPIError(
            code: Code(wire: wireCode),
            wireCode: wireCode,
            message: printable(errorNode.string("Message") ?? ""),
            requestID: requestID.map(printable),
            httpStatus: response.status,
            action: action,
            region: region,
            service: service,
            faultType: errorNode.trimmed("Type").map(printable),
            retryAfter: retryAfter(from: response)
        )
    }

    /// `text` with each control character (C0, DEL and C1, such as U+009B, an 8-bit CSI) replaced
    /// by a space: the texts of an error body are printed, and must not move the cursor, recolour
    /// the terminal or forge a line of output.
    static func printable(_ text: String) -> String {
        func isControl(_ scalar: Unicode.Scalar) -> Bool { scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) }
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        var scalars = String.UnicodeScalarView()
        for scalar in text.unicodeScalars { scalars.append(isControl(scalar) ? " " : scalar) }
        return String(scalars)
    }

    /// An error for a response that is not an acceptable AWS answer.
    static func unparseable(response: HTTPResponse, reason: String, action: String, region: String, service: String) -> NeptuneAPIError {
        let snippet = sanitizedSnippet(response.body)
        var details: [String] = []
        if let type = response.header("content-type").map({ sanitizedSnippet(Data($0.utf8), limit: 80) }), !type.isEmpty {
            details.append("Content-Type \(type)")
        }
        if snippet.isEmpty { details.append("the body is empty") }
        let message = reason + (details.isEmpty ? "" : " (\(details.joined(separator: ", ")))") + "."
        return NeptuneAPIError(
            code: .unparseableResponse,
            message: message,
            requestID: response.header("x-amzn-requestid"),
            httpStatus: response.status,
            action: action,
            region: region,
            service: service,
            bodySnippet: snippet.isEmpty ? nil : snippet,
            retryAfter: retryAfter(from: response)
        )
    }

    /// The first `limit` characters of a body, safe to print: invalid UTF-8 replaced,
    /// control characters and whitespace runs collapsed to single spaces.
    static func sanitizedSnippet(_ body: Data, limit: Int = 200) -> String {
        let text = String(decoding: body.prefix(limit * 4), as: UTF8.self)
        var out = ""
        var lastWasSpace = false
        for scalar in text.unicodeScalars {
            let isSpace = scalar.properties.isWhitespace || scalar.value < 0x20 || scalar.value == 0x7F
                || (0x80...0x9F).contains(scalar.value)
            if isSpace {
                if !lastWasSpace && !out.isEmpty { out.unicodeScalars.append(" ") }
                lastWasSpace = true
            } else {
                out.unicodeScalars.append(scalar)
                lastWasSpace = false
            }
            if out.count >= limit { break }
        }
        while out.hasSuffix(" ") { out.removeLast() }
        return out.count > limit ? String(out.prefix(limit)) : out
    }

    /// `Retry-After` in seconds, or botocore's `x-amz-retry-after` in milliseconds.
    static func retryAfter(from response: HTTPResponse) -> Duration? {
        if let value = response.header("retry-after")?.trimmingXMLWhitespace(), let seconds = Int(value), seconds >= 0 {
            return .seconds(seconds)
        }
        if let value = response.header("x-amz-retry-after")?.trimmingXMLWhitespace(), let ms = Int(value), ms >= 0 {
            return .milliseconds(ms)
        }
        return nil
    }
}
