// The libFuzzer entry point of the QueryRoundTrip target: QueryEncoding.encode and percentEncodeSequence, decoded back independently.
// scripts/fuzz compiles it with Tests/NeptuneAPITests/Fuzzing/APIFuzzChecks.swift, whose check the regression tests
// (FuzzRegressionTests) also run on every file in Tests/Fuzz/Regressions/QueryRoundTrip.

/// Runs the check on one input; a broken property crashes, so libFuzzer saves the input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    do {
        try APIFuzzChecks.queryRoundTrip(bytes)
    } catch {
        fatalError("QueryRoundTrip: \(error)")
    }
    return 0
}
