// The libFuzzer entry point of the Capture target: LiveStateFile.parse, and render of what it accepts.
// scripts/fuzz compiles it with Tests/SnapcopyCoreTests/Fuzzing/CoreFuzzChecks.swift, whose check the regression tests
// (FuzzRegressionTests) also run on every file in Tests/Fuzz/Regressions/Capture.

/// Runs the check on one input; a broken property crashes, so libFuzzer saves the input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    do {
        try CoreFuzzChecks.capture(bytes)
    } catch {
        fatalError("Capture: \(error)")
    }
    return 0
}
