import Foundation
import NeptuneAPI

/// Long-term keys of an IAM user that the fake made in one account.
public struct FakeCredentials: Codable, Sendable, Equatable {
    public var account: String
    public var userARN: String
    public var accessKeyID: String
    public var secretAccessKey: String

    enum CodingKeys: String, CodingKey {
        case account, userARN = "userArn", accessKeyID = "accessKeyId", secretAccessKey
    }
}

extension FakeNeptuneServer {
    /// The default account of moto: unknown access keys act in it.
    public static let defaultAccount = "123456789012"

    /// Replaces the whole fault config (fields left `nil` or empty take their defaults).
    public nonisolated func configure(_ config: FakeConfig) async throws {
        _ = try await call("POST", "_fake/config", body: config) as FakeConfig
    }

    /// The config in force.
    public nonisolated func config() async throws -> FakeConfig {
        try await call("GET", "_fake/config")
    }

    /// Creates KMS keys, roles, clusters and snapshots in one account and region.
    @discardableResult
    public nonisolated func seed(_ seed: Seed) async throws -> SeedResult {
        try await call("POST", "_fake/seed", body: seed)
    }

    /// The counters since the start or the last ``resetStats()``.
    public nonisolated func stats() async throws -> FakeStats {
        try await call("GET", "_fake/stats")
    }

    /// Zeroes the counters only.
    public nonisolated func resetStats() async throws {
        _ = try await call("POST", "_fake/stats/reset", body: [String: String]()) as [String: String]
    }

    /// Resets moto's state, the config, the counters, and turns signature checks off.
    public nonisolated func reset() async throws {
        _ = try await call("POST", "_fake/reset", body: [String: String]()) as [String: String]
    }

    /// Makes an IAM user with a long-term key in `account`, with `policy` (an IAM policy
    /// document; nil: rds:*, sts:*, kms:* on everything). Requests signed with it act in that account.
    public nonisolated func makeCredentials(account: String = defaultAccount, policy: String? = nil) async throws -> FakeCredentials {
        var body = ["account": account]
        if let policy { body["policy"] = policy }
        return try await call("POST", "_fake/credentials", body: body)
    }

    /// Makes an IAM user and key in `account`, then turns on moto's signature and
    /// permission checks: from now on a wrong secret gets `SignatureDoesNotMatch`.
    public nonisolated func enableSignatureVerification(
        account: String = defaultAccount
    ) async throws -> (accessKeyID: String, secretAccessKey: String) {
        let credentials = try await makeCredentials(account: account)
        try await setSignatureVerification(true)
        return (credentials.accessKeyID, credentials.secretAccessKey)
    }

    /// Turns moto's signature and permission checks on or off.
    public nonisolated func setSignatureVerification(_ isEnabled: Bool) async throws {
        _ = try await call("POST", "_fake/auth", body: ["enabled": isEnabled]) as [String: Bool]
    }

    // MARK: - Transport

    private nonisolated func call<Response: Decodable>(_ method: String, _ path: String) async throws -> Response {
        try await send(method, path, body: nil)
    }

    private nonisolated func call<Response: Decodable>(
        _ method: String, _ path: String, body: some Encodable
    ) async throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        encoder.dateEncodingStrategy = .iso8601
        return try await send(method, path, body: try encoder.encode(body))
    }

    private nonisolated func send<Response: Decodable>(
        _ method: String, _ path: String, body: Data?
    ) async throws -> Response {
        let request = HTTPRequest(
            method: method, url: endpoint.appendingPathComponent(path),
            headers: ["content-type": "application/json"], body: body ?? Data(), timeout: .seconds(30))
        let response = try await TestTransport.shared.send(request)
        let data = response.body
        let status = response.status
        guard status == 200 else {
            throw FakeNeptuneError(
                "\(method) /\(path) answered \(status): \(String(decoding: data, as: UTF8.self))")
        }
        do {
            return try JSONDecoder().decode(Response.self, from: data)
        } catch {
            throw FakeNeptuneError("\(method) /\(path): cannot decode \(Response.self): \(error)")
        }
    }
}
