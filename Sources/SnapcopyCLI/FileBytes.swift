import Foundation

/// Whole files read straight into bytes, for inputs as large as a capture of 150,000 snapshots
/// (`FileManager.contents` gives `Data`, which a parser of `[UInt8]` would copy once more).
enum FileBytes {
    /// The file's bytes, or nil when it cannot be opened or read (a directory, no permission).
    static func read(_ path: String) -> [UInt8]? {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { return nil }
        // One byte more than the size: a read that fills it shows a file that grew, or a pipe.
        let capacity = max(Int(status.st_size), 0) + 1
        var failed = false
        let bytes = [UInt8](unsafeUninitializedCapacity: capacity) { buffer, count in
            guard let base = buffer.baseAddress else { return }
            while count < capacity {
                let got = Foundation.read(descriptor, base + count, capacity - count)
                if got < 0 && errno == EINTR { continue }
                if got < 0 { failed = true }
                if got <= 0 { return }
                count += got
            }
        }
        if failed { return nil }
        if bytes.count == capacity { return FileManager.default.contents(atPath: path).map { Array($0) } }
        return bytes
    }
}
