// The libFuzzer entry point of the LockFile target: LockFile.decode, and encoded() of what it accepts.
// scripts/fuzz compiles it with Tests/SnapcopyCoreTests/Fuzzing/CoreFuzzChecks.swift, whose check the regression tests
// (FuzzRegressionTests) also run on every file in Tests/Fuzz/Regressions/LockFile.

/// Runs the check on one input; a broken property crashes, so libFuzzer saves the input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    do {
        try CoreFuzzChecks.lockFile(bytes)
    } catch {
        fatalError("LockFile: \(error)")
    }
    return 0
}
