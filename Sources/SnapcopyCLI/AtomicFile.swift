import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

import SnapcopyCore

/// POSIX `write(2)`, named apart from `AtomicFile.write`, which would shadow it.
#if canImport(Glibc)
private let systemWrite = Glibc.write
#elseif canImport(Darwin)
private let systemWrite = Darwin.write
#endif

/// Files written so that a crash at any instant leaves either the old or the new file: a
/// temporary file in the same directory, fsync, rename over the old file, fsync the directory.
enum AtomicFile {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Encodes `value` canonically, then writes it; nothing is written when encoding fails.
    static func write(encoding value: some Encodable, to path: String) throws {
        try write(try CanonicalJSON.encode(value), to: path)
    }

    static func write(_ bytes: [UInt8], to path: String) throws(Failure) {
        let directory = (path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent
        let temporary = (directory as NSString).appendingPathComponent(".\((path as NSString).lastPathComponent).\(getpid()).tmp")
        func failure(_ what: String) -> Failure {
            Failure(description: "cannot \(what): \(String(cString: strerror(errno)))")
        }
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw failure("create \(temporary)") }
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { systemWrite(fd, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                let error = failure("write \(temporary)")
                close(fd)
                unlink(temporary)
                throw error
            }
            offset += written
        }
        guard fsync(fd) == 0 else {
            let error = failure("sync \(temporary)")
            close(fd)
            unlink(temporary)
            throw error
        }
        close(fd)
        guard rename(temporary, path) == 0 else {
            let error = failure("replace \(path)")
            unlink(temporary)
            throw error
        }
        syncDirectory(of: path)
    }

    /// Makes the creation, renaming or removal of `path` durable by syncing its directory.
    static func syncDirectory(of path: String) {
        let parent = (path as NSString).deletingLastPathComponent
        let directoryFD = open(parent.isEmpty ? "." : parent, O_RDONLY)
        if directoryFD >= 0 {
            fsync(directoryFD)
            close(directoryFD)
        }
    }
}
