import Foundation
import NeptuneAPI
import SnapcopyCore

/// What a command needs to talk to the API: the service, the parallelism, a live-state loader,
/// and (with `--debug`) a request log and call counts printed by ``finish()``.
///
/// Built once per run from the global options and the environment; every client shares one
/// transport, limiter and call tally.
struct ServiceContext {
    /// The Neptune API behind the `SnapshotService` protocol.
    let service: any SnapshotService
    /// How many API calls run at once.
    let parallelism: Int
    /// Describes live state with `service` at `parallelism`.
    var loader: LiveStateLoader

    private let tally: APICallTally
    private let debugLog: DebugLog?

    /// Resolves region, endpoint and credentials and builds the service.
    ///
    /// Region: `--region` → `AWS_REGION` → `AWS_DEFAULT_REGION` → the profile's `region` (it is the
    /// region STS is called in; manifest entries name their own). Endpoint: `--endpoint-url` →
    /// `AWS_ENDPOINT_URL_NEPTUNE` → `AWS_ENDPOINT_URL` → the profile's `endpoint_url`; STS uses the
    /// same override, so roles are assumed where the service runs. Credentials are the AWS CLI's
    /// chain, resolved on the first call.
    /// - Throws: `CommandFailure` naming every place looked at when no region can be found, or
    ///   when an endpoint or the shared config files are unusable.
    static func make(global: GlobalOptions, environment: ProcessEnvironment, console: Console) throws -> ServiceContext {
        let aws = environment.aws
        let debugLog = global.isDebug(environment: environment) ? DebugLog(console: console) : nil
        let tally = APICallTally()
        let region: String
        let endpoint: URL?
        let stsEndpoint: URL?
        let transport: AsyncHTTPTransport
        let endpointOptions: EndpointOptions
        do {
            region = try aws.resolveRegion(explicit: global.region, profile: global.profile)
            endpoint = try aws.resolveEndpoint(explicit: global.endpointURL, profile: global.profile)
            stsEndpoint = try aws.resolveSTSEndpoint(explicit: global.endpointURL, profile: global.profile)
            let settings = try aws.transportSettings(profile: global.profile, parallelism: global.parallelism)
            transport = try SharedTransport.process.transport(settings: settings)
            endpointOptions = try aws.endpointOptions(profile: global.profile)
        } catch let error as CredentialsError {
            throw failure(error)
        }
        let requestLog = RequestLog { entry in
            tally.record(entry)
            debugLog?.write(entry.description)
        }
        var configuration = NeptuneSnapshotService.makeClientConfiguration(transport: transport, parallelism: global.parallelism, log: requestLog)
        configuration.endpointOptions = endpointOptions
        let credentials = aws.makeCredentialProvider(profile: global.profile, region: region, stsEndpoint: stsEndpoint, configuration: configuration)
        let factory = NeptuneClientFactory(
            baseCredentials: credentials, endpoint: endpoint, stsEndpoint: stsEndpoint, stsRegion: region, configuration: configuration)
        let service = NeptuneSnapshotService(
            factory: factory, secrets: environment.secretValues,
            debugLog: debugLog.map { log in { @Sendable line in log.write(line) } })
        if let debugLog {
            debugLog.write("region \(region); endpoint \(endpoint.map(Self.describe) ?? "AWS default"); "
                + "STS endpoint \(stsEndpoint.map(Self.describe) ?? "AWS default"); credentials \(credentials.name); parallelism \(global.parallelism)")
            debugLog.write(Self.describe(transport.settings))
        }
        return ServiceContext(
            service: service, parallelism: global.parallelism,
            loader: LiveStateLoader(service: service, parallelism: global.parallelism),
            tally: tally, debugLog: debugLog)
    }

    /// The API attempts made so far (retries included), by action.
    var callCounts: [String: Int] { tally.counts.byAction }

    /// Attempts after the first of a call, so far.
    var retries: Int { tally.counts.retries }

    /// One line on the API calls when any was retried (`nil` otherwise): how many, and why.
    var retrySummary: String? {
        let counts = tally.counts
        guard counts.retries > 0 else { return nil }
        let reasons = counts.failuresByCode.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map { "\($0.key) \($0.value)" }
        return "API: \(counts.total) calls, \(counts.retries) of them retries"
            + (reasons.isEmpty ? "" : " (failed attempts: \(reasons.joined(separator: ", ")))") + "."
    }

    /// Ends the run: with `--debug`, prints the total API calls and the calls by action.
    func finish() {
        guard let debugLog else { return }
        let counts = tally.counts
        let (total, byAction) = (counts.total, counts.byAction)
        let breakdown = byAction.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        debugLog.write("API calls: \(total)\(breakdown.isEmpty ? "" : " (\(breakdown))")")
    }

    /// The `CommandFailure` for an error of the service or of resolving configuration: one
    /// message, with the places looked at listed when the error names them.
    static func failure(_ error: any Error) -> CommandFailure {
        switch error {
        case let failure as CommandFailure:
            return failure
        case let error as CredentialsError:
            return CommandFailure("snapcopy: \(NeptuneSnapshotService.describe(error))")
        case let error as SnapshotServiceError:
            return CommandFailure("snapcopy: \(error.message)")
        default:
            return CommandFailure("snapcopy: \(SecretRedactor().redact(String(describing: error)))")
        }
    }

    /// The transport's proxies and trust store, without proxy passwords.
    static func describe(_ settings: TransportSettings) -> String {
        var parts = ["transport AsyncHTTPClient"]
        parts.append("HTTPS proxy \(settings.proxies.https?.description ?? "none")")
        parts.append("HTTP proxy \(settings.proxies.http?.description ?? "none")")
        if !settings.proxies.noProxy.isEmpty { parts.append("NO_PROXY \(settings.proxies.noProxy.joined(separator: ","))") }
        parts.append("CA bundle " + (settings.caBundle.map { "\($0.path) (from \($0.source))" } ?? "system trust store"))
        return parts.joined(separator: "; ")
    }

    /// An endpoint as `scheme://host[:port]`, without any user information or path.
    static func describe(_ url: URL) -> String {
        var text = "\(url.scheme ?? "https")://\(url.host ?? "?")"
        if let port = url.port { text += ":\(port)" }
        return text
    }
}

/// Writes `debug:` lines to standard error.
struct DebugLog: Sendable {
    var console: Console

    func write(_ line: String) {
        console.error("debug: \(line)")
    }
}

/// Counts API attempts (retries included), in total and by action, and the retries, from the request log.
final class APICallTally: @unchecked Sendable {
    /// What the tally has seen.
    struct Counts: Sendable, Equatable {
        var total = 0
        var byAction: [String: Int] = [:]
        /// Attempts after the first of a call (attempt 2 and later).
        var retries = 0
        /// Failed attempts by error code or transport failure, such as `Throttling` or `transport: reset`.
        var failuresByCode: [String: Int] = [:]
    }

    private let lock = NSLock()
    private var state = Counts()

    func record(_ entry: RequestLogEntry) {
        lock.withLock {
            state.total += 1
            state.byAction[entry.action, default: 0] += 1
            if entry.attempt > 1 { state.retries += 1 }
            if let code = entry.errorCode { state.failuresByCode[code, default: 0] += 1 }
        }
    }

    var counts: Counts {
        lock.withLock { state }
    }
}
