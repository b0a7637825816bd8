import Foundation
import Testing
@testable import NeptuneAPI

@Suite("Proxy settings from the environment (urllib's names and rules)")
struct ProxySettingsTests {
    @Test("https URLs use HTTPS_PROXY, http URLs HTTP_PROXY; lower case wins over upper case")
    func schemesAndCase() throws {
        let settings = try ProxySettings(environment: [
            "HTTPS_PROXY": "http://upper.example:3128", "https_proxy": "http://lower.example:8080", "HTTP_PROXY": "plain.example",
        ])
        #expect(settings.proxy(for: URL(string: "https://rds.us-east-1.amazonaws.com/")!) == .init(host: "lower.example", port: 8080, source: "https_proxy"))
        #expect(settings.proxy(for: URL(string: "http://127.0.0.1:5000/")!) == .init(host: "plain.example", port: 80, source: "HTTP_PROXY"))
        #expect(try ProxySettings(environment: [:]).proxy(for: URL(string: "https://x.example/")!) == nil)
    }

    @Test("a proxy password is kept for authentication but never described")
    func credentials() throws {
        let settings = try ProxySettings(environment: ["HTTPS_PROXY": "http://me:p%40ss@proxy.corp:3128"])
        let server = try #require(settings.https)
        #expect(server.credentials == "me:p@ss")
        #expect(server.description == "proxy.corp:3128 (from HTTPS_PROXY)")
    }

    @Test("a broken proxy URL is an error naming the variable, not its value")
    func broken() {
        #expect(throws: CredentialsError.self) { try ProxySettings(environment: ["HTTPS_PROXY": "ftp://secret@host"]) }
        do {
            _ = try ProxySettings(environment: ["http_proxy": "http://"])
        } catch let error as CredentialsError {
            #expect(error.message.contains("The proxy http_proxy is not a URL"))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    struct Row: Sendable, CustomTestStringConvertible {
        var noProxy: String
        var host: String
        var port = 443
        var bypasses: Bool
        var testDescription: String { "\(noProxy) / \(host):\(port)" }
    }

    static let rows: [Row] = [
        Row(noProxy: "*", host: "rds.us-east-1.amazonaws.com", bypasses: true),
        Row(noProxy: "amazonaws.com", host: "rds.us-east-1.amazonaws.com", bypasses: true),
        Row(noProxy: ".amazonaws.com", host: "rds.us-east-1.amazonaws.com", bypasses: true),
        Row(noProxy: "*.amazonaws.com", host: "sts.amazonaws.com", bypasses: true),
        Row(noProxy: "amazonaws.com", host: "notamazonaws.com", bypasses: false),
        Row(noProxy: "example.com, localhost", host: "localhost", bypasses: true),
        Row(noProxy: "10.0.0.0/8", host: "10.1.2.3", bypasses: true),
        Row(noProxy: "10.0.0.0/8", host: "11.1.2.3", bypasses: false),
        Row(noProxy: "127.0.0.1", host: "127.0.0.1", bypasses: true),
        Row(noProxy: "127.0.0.1:5000", host: "127.0.0.1", port: 5000, bypasses: true),
        Row(noProxy: "127.0.0.1:5000", host: "127.0.0.1", port: 6000, bypasses: false),
        Row(noProxy: "::1", host: "[::1]", bypasses: true),
        Row(noProxy: "fd00::/8", host: "fd00:ec2::254", bypasses: true),
        Row(noProxy: "", host: "localhost", bypasses: false),
    ]

    @Test("NO_PROXY matching", arguments: rows)
    func noProxy(_ row: Row) throws {
        let settings = try ProxySettings(environment: ["NO_PROXY": row.noProxy, "HTTPS_PROXY": "proxy:1"])
        #expect(settings.bypasses(host: row.host, port: row.port) == row.bypasses)
    }
}
