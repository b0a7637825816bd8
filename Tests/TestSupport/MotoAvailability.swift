import Foundation

/// Whether python3 can import moto, checked once per test process.
///
/// Under `scripts/test` (which sets `SNAPCOPY_REQUIRE_MOTO`) suites that need moto always run, so a
/// missing moto fails loudly instead of skipping.
public enum MotoAvailability {
    public static let isAvailable: Bool = {
        if ProcessInfo.processInfo.environment["SNAPCOPY_REQUIRE_MOTO"] != nil { return true }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import moto, werkzeug"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }()
}
