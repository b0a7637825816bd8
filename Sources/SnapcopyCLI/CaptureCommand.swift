import ArgumentParser
import Foundation
import SnapcopyCore

/// `snapcopy capture --region R ... --out DIR`: live state for offline plans, taken by a job that has credentials.
struct CaptureCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "capture",
        abstract: "Write the live state that `plan --live-state` and `drift --live-state` read: one file per region, with each snapshot's tags.",
        discussion: """
            Each region is described (shared snapshots included) and every Neptune snapshot's tags are read, so a \
            pull-request job without AWS credentials can plan against a capture taken by a trusted job. Files are \
            DIR/REGION.json, written atomically, and record the region and the capture time.
            Exit codes: 0 written, 1 error.
            """
    )

    @Option(name: .customLong("region"), help: ArgumentHelp("A region to capture (repeatable).", valueName: "region"))
    var regions: [String] = []

    @Option(help: ArgumentHelp("The directory to write REGION.json files into (created if needed).", valueName: "dir"))
    var out: String

    @Option(name: .customLong("endpoint-url"), help: ArgumentHelp("Send API calls to this URL instead of AWS.", valueName: "url"))
    var endpointURL: String?

    @Option(help: ArgumentHelp("Use this profile of ~/.aws/config and ~/.aws/credentials.", valueName: "name"))
    var profile: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("At most this many API calls at once (1 to 256).", valueName: "n"))
    var parallelism: Int = 16

    @Flag(help: "Log every API attempt and the call counts to standard error, secrets redacted.")
    var debug = false

    func validate() throws {
        guard !regions.isEmpty else { throw ValidationError("give at least one --region to capture") }
        for region in regions where !Region.isWellFormed(region) {
            throw ValidationError("--region \(region) is not a well-formed region name such as us-east-1")
        }
    }

    func run() async throws {
        let console = Console.standard
        let environment = ProcessEnvironment.current
        var arguments = ["--region", regions[0], "--parallelism", String(parallelism)]
        if let endpointURL { arguments += ["--endpoint-url", endpointURL] }
        if let profile { arguments += ["--profile", profile] }
        if debug { arguments.append("--debug") }
        let global: GlobalOptions
        do {
            global = try GlobalOptions.parse(arguments)
        } catch {
            throw CommandFailure("snapcopy: \(GlobalOptions.message(for: error))", status: .usage)
        }
        do {
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        } catch {
            throw CommandFailure("snapcopy: cannot create \(out): \(error.localizedDescription)\n  fix: give a directory you can write to")
        }
        let context = try ServiceContext.make(global: global, environment: environment, console: console)
        defer { context.finish() }
        for region in Set(regions).sorted() {
            let capturedAt = Date()
            let snapshots: [LiveSnapshot]
            do {
                let scope = AccountScope(region: region)
                let listed = try await context.service.listSnapshots(in: scope, includeShared: true).filter(\.isNeptune)
                let tags = try await context.loader.forEach(listed) { snapshot in
                    try await context.service.tags(of: snapshot.arn.description, in: scope)
                }
                snapshots = zip(listed, tags).map { snapshot, tags in
                    var tagged = snapshot
                    tagged.tags = tags
                    return tagged
                }
            } catch {
                throw ServiceContext.failure(error)
            }
            let path = (out as NSString).appendingPathComponent("\(region).json")
            do {
                try AtomicFile.write(try LiveStateFile.render(snapshots, region: region, capturedAt: capturedAt), to: path)
            } catch {
                throw CommandFailure("snapcopy: cannot write \(path): \(error)\n  fix: check that the directory is writable")
            }
            console.output("\(region): \(snapshots.count) \(snapshots.count == 1 ? "snapshot" : "snapshots") written to \(path)\n")
        }
    }
}
