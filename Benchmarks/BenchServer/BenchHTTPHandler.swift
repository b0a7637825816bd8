import Foundation
import NIOCore
import NIOHTTP1

/// One connection's requests: AWS Query calls (signature checked, answered after the configured
/// latency by a task scheduled on the event loop, so no thread sleeps) and `/_bench/…` administration.
final class BenchHTTPHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let store: BenchStore
    private let verifier: SignatureVerifier
    private var head: HTTPRequestHead?
    private var body: ByteBuffer?

    init(store: BenchStore, verifier: SignatureVerifier) {
        self.store = store
        self.verifier = verifier
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let requestHead):
            head = requestHead
            body = nil
        case .body(var chunk):
            if body == nil { body = chunk } else { body?.writeBuffer(&chunk) }
        case .end:
            guard let requestHead = head else { return }
            let bytes = body.map { Data($0.readableBytesView) } ?? Data()
            head = nil
            body = nil
            handle(requestHead, bytes, context: context)
        }
    }

    private func handle(_ requestHead: HTTPRequestHead, _ bytes: Data, context: ChannelHandlerContext) {
        let path = requestHead.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? "/"
        if path.hasPrefix("/_bench/") {
            let (status, json) = administer(method: requestHead.method, path: path, body: bytes)
            respond(context: context, head: requestHead, status: status, contentType: "application/json", body: json)
            return
        }
        store.requestStarted()
        let reply = call(requestHead, bytes)
        let latency = store.latencyMs
        let loop = context.eventLoop.assumeIsolated()
        let finish = { [self] in
            respond(context: context, head: requestHead, status: reply.status, contentType: "text/xml", body: reply.body)
            store.requestFinished()
        }
        if latency > 0 {
            loop.scheduleTask(in: .milliseconds(Int64(latency)), finish)
        } else {
            finish()
        }
    }

    /// Verifies the signature, decodes the form, and runs the action.
    private func call(_ requestHead: HTTPRequestHead, _ bytes: Data) -> BenchReply {
        let headers = requestHead.headers.map { ($0.name, $0.value) }
        let scope: SignatureVerifier.Scope
        switch verifier.verify(method: requestHead.method.rawValue, uri: requestHead.uri, headers: headers, body: bytes) {
        case .success(let verified):
            scope = verified
        case .failure(let failure):
            store.recordSignatureFailure()
            switch failure {
            case .missing: return .error(403, "MissingAuthenticationToken", "Request is missing Authentication Token")
            case .malformed(let what): return .error(403, "IncompleteSignature", "The request signature is malformed (\(what)).")
            case .unknownKey: return .error(403, "InvalidClientTokenId", "The security token included in the request is invalid.")
            case .mismatch: return .error(403, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided.")
            }
        }
        let query = requestHead.uri.split(separator: "?", maxSplits: 1).dropFirst().first ?? ""
        var form = FormBody(query)
        if requestHead.method == .POST {
            form = FormBody(Substring(String(decoding: bytes, as: UTF8.self)))
        }
        guard let action = form["Action"] else { return .error(400, "MissingAction", "Could not find operation to perform.") }
        return store.handle(action: action, form: form, region: scope.region)
    }

    private func administer(method: HTTPMethod, path: String, body: Data) -> (HTTPResponseStatus, String) {
        do {
            switch (method, path) {
            case (.GET, "/_bench/stats"):
                return (.ok, try Self.json(store.statsJSON()))
            case (.POST, "/_bench/reset"):
                store.reset()
                return (.ok, "{\"reset\": true}\n")
            case (.POST, "/_bench/reset-stats"):
                store.resetStats()
                return (.ok, "{\"reset\": true}\n")
            case (.POST, "/_bench/config"):
                try store.configure(try Self.object(body))
                return (.ok, try Self.json(store.statsJSON()["config"] ?? [:]))
            case (.POST, "/_bench/seed"):
                let added = try store.seed(try Self.object(body))
                return (.ok, "{\"added\": \(added)}\n")
            default:
                return (.notFound, "{\"error\": \"no such endpoint: \(method.rawValue) \(path)\"}\n")
            }
        } catch let error as AdminError {
            return (.badRequest, (try? Self.json(["error": error.message])) ?? "{}\n")
        } catch {
            return (.badRequest, (try? Self.json(["error": "\(error)"])) ?? "{}\n")
        }
    }

    private static func object(_ body: Data) throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: body.isEmpty ? Data("{}".utf8) : body) as? [String: Any] else {
            throw AdminError("the body must be a JSON object")
        }
        return object
    }

    private static func json(_ value: Any) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys]), as: UTF8.self) + "\n"
    }

    private func respond(context: ChannelHandlerContext, head requestHead: HTTPRequestHead, status: Int, contentType: String, body: String) {
        respond(context: context, head: requestHead, status: HTTPResponseStatus(statusCode: status), contentType: contentType, body: body)
    }

    private func respond(context: ChannelHandlerContext, head requestHead: HTTPRequestHead, status: HTTPResponseStatus, contentType: String, body: String) {
        guard context.channel.isActive else { return }
        var buffer = context.channel.allocator.buffer(capacity: body.utf8.count)
        buffer.writeString(body)
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: contentType)
        headers.add(name: "Content-Length", value: String(buffer.readableBytes))
        headers.add(name: "x-amzn-RequestId", value: BenchXML.requestID())
        let keepAlive = requestHead.isKeepAlive
        headers.add(name: "Connection", value: keepAlive ? "keep-alive" : "close")
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: requestHead.version, status: status, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        if keepAlive {
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        } else {
            context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in context.close(promise: nil) }
        }
    }
}
