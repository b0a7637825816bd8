import Foundation

/// A certificate authority made for one test with the `openssl` command, and a server
/// certificate it signed for `localhost` and `127.0.0.1` (valid one day; EC P-256 keys).
public struct ThrowawayCA: Sendable {
    /// The CA certificate (PEM): what `AWS_CA_BUNDLE` points at.
    public let caCertificate: URL
    /// The server certificate and key (PEM) for the TLS terminator.
    public let serverCertificate: URL
    public let serverKey: URL

    /// Makes the CA and the server certificate under `directory`.
    public static func make(in directory: TemporaryDirectory) async throws -> ThrowawayCA {
        let dir = directory.url
        let ca = dir.appendingPathComponent("ca.pem"), caKey = dir.appendingPathComponent("ca.key")
        let cert = dir.appendingPathComponent("server.pem"), key = dir.appendingPathComponent("server.key")
        let csr = dir.appendingPathComponent("server.csr"), ext = dir.appendingPathComponent("server.ext")
        try "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n"
            .write(to: ext, atomically: true, encoding: .utf8)
        let steps: [[String]] = [
            ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", caKey.path, "-out", ca.path,
             "-days", "1", "-subj", "/CN=snapcopy throwaway test CA",
             "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"],
            ["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key.path, "-out", csr.path, "-subj", "/CN=localhost"],
            ["x509", "-req", "-in", csr.path, "-CA", ca.path, "-CAkey", caKey.path, "-CAcreateserial", "-out", cert.path, "-days", "1", "-extfile", ext.path],
        ]
        for arguments in steps {
            let result = try await runProcess(executable: URL(fileURLWithPath: "/usr/bin/env"), arguments: ["openssl"] + arguments,
                                              environment: ["PATH": "/usr/bin:/bin:/usr/local/bin"], timeout: .seconds(30))
            guard result.exitCode == 0 else {
                throw FakeNeptuneError("openssl \(arguments.first ?? "") failed (exit \(result.exitCode)): \(result.stderr.prefix(500))")
            }
        }
        return ThrowawayCA(caCertificate: ca, serverCertificate: cert, serverKey: key)
    }
}
