// The libFuzzer entry point of the XMLResponse target: a response body through NeptuneClient
// (XMLTreeParser, the DescribeDBClusterSnapshots / ListTagsForResource / DeleteDBClusterSnapshot
// decoders and the error decoder). scripts/fuzz compiles it with
// Tests/NeptuneAPITests/Fuzzing/APIFuzzChecks.swift, whose check the regression tests
// (FuzzRegressionTests) also run on every file in Tests/Fuzz/Regressions/XMLResponse.
import Dispatch
import Foundation

/// The check's failure, carried out of the task that ran it.
private final class Outcome: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: String?

    var failure: String? {
        lock.lock()
        defer { lock.unlock() }
        return stored
    }

    func fail(_ text: String) {
        lock.lock()
        stored = text
        lock.unlock()
    }
}

/// Runs the check on one input, waiting for it; a broken property crashes, so libFuzzer saves the input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let outcome = Outcome()
    let done = DispatchSemaphore(value: 0)
    Task {
        do {
            try await APIFuzzChecks.xmlResponse(bytes)
        } catch {
            outcome.fail("\(error)")
        }
        done.signal()
    }
    done.wait()
    if let failure = outcome.failure { fatalError("XMLResponse: \(failure)") }
    return 0
}
