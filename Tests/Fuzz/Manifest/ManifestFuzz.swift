// The libFuzzer entry point of the Manifest target: ManifestLoader.load (JSON parser, manifest reader, rules).
// scripts/fuzz compiles it with Tests/SnapcopyCoreTests/Fuzzing/CoreFuzzChecks.swift, whose check the regression tests
// (FuzzRegressionTests) also run on every file in Tests/Fuzz/Regressions/Manifest.

/// Runs the check on one input; a broken property crashes, so libFuzzer saves the input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    do {
        try CoreFuzzChecks.manifest(bytes)
    } catch {
        fatalError("Manifest: \(error)")
    }
    return 0
}
