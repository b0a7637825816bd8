// A Neptune snapshot API for benchmarks: answers DescribeDBClusterSnapshots (paged),
// ListTagsForResource, CopyDBClusterSnapshot, AddTagsToResource, RemoveTagsFromResource and
// DeleteDBClusterSnapshot from memory, concurrently, after a fixed latency, verifying SigV4.
// Run: .build/release/BenchServer [--port 0] [--latency-ms 20] [--copying-ms 0] [--threads 2]
// It prints `BenchServer listening on http://127.0.0.1:PORT` and serves until killed (or until its
// parent exits, with --parent-pid). Administration: GET /_bench/stats, POST /_bench/reset,
// /_bench/reset-stats, /_bench/config and /_bench/seed (JSON; see BenchStore).
import Foundation
import NeptuneAPI
import NIOCore
import NIOPosix
import NIOHTTP1

/// The benchmark's fixed fake credentials (also in Benchmarks/run).
let benchAccessKeyID = "AKIDSNAPCOPYBENCH000"
let benchSecretAccessKey = "snapcopy/bench/not-a-secret/0000000000000"

/// The command line.
struct Options {
    var port = 0
    var threads = System.coreCount
    var parentPID: Int32?
    /// Configuration members for ``BenchStore/configure(_:)``.
    var initial: [String: Any] = [:]

    static func usage(_ message: String) -> Never {
        FileHandle.standardError.write(Data("BenchServer: \(message)\nusage: BenchServer [--port N] [--threads N] [--latency-ms N] [--copying-ms N] [--max-inflight-copies N] [--tag-list] [--parent-pid PID]\n".utf8))
        exit(64)
    }

    init(_ arguments: [String]) {
        var iterator = arguments.makeIterator()
        func number(_ name: String) -> Int {
            guard let text = iterator.next(), let value = Int(text) else { Self.usage("\(name) needs a number") }
            return value
        }
        while let argument = iterator.next() {
            switch argument {
            case "--port": port = number(argument)
            case "--threads": threads = max(1, number(argument))
            case "--latency-ms": initial["latencyMs"] = number(argument)
            case "--copying-ms": initial["copyingMs"] = number(argument)
            case "--max-inflight-copies": initial["maxInflightCopies"] = number(argument)
            case "--tag-list": initial["tagListInResponses"] = true
            case "--parent-pid": parentPID = Int32(number(argument))
            default: Self.usage("unknown argument \(argument)")
            }
        }
    }
}

let options = Options(Array(CommandLine.arguments.dropFirst()))
let port = options.port
let store = BenchStore()
do {
    try store.configure(options.initial)
} catch let error as AdminError {
    Options.usage(error.message)
} catch {
    Options.usage("\(error)")
}
let verifier = SignatureVerifier(credentials: Credentials(accessKeyID: benchAccessKeyID, secretAccessKey: benchSecretAccessKey))
let group = MultiThreadedEventLoopGroup(numberOfThreads: options.threads)
let bootstrap = ServerBootstrap(group: group)
    .serverChannelOption(.backlog, value: 1024)
    .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
    .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
    .childChannelInitializer { channel in
        channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
            try channel.pipeline.syncOperations.addHandler(BenchHTTPHandler(store: store, verifier: verifier))
        }
    }
let channel: Channel
do {
    channel = try bootstrap.bind(host: "127.0.0.1", port: port).wait()
} catch {
    FileHandle.standardError.write(Data("BenchServer: cannot listen on 127.0.0.1:\(port): \(error)\n".utf8))
    exit(1)
}
FileHandle.standardOutput.write(Data("BenchServer listening on http://127.0.0.1:\(channel.localAddress?.port ?? port)\n".utf8))
if let parentPID = options.parentPID {
    // Stop with the process that started us, so a killed benchmark leaves no server behind.
    let watcher = Thread {
        while getppid() == parentPID { sleep(1) }
        exit(0)
    }
    watcher.start()
}
try channel.closeFuture.wait()
