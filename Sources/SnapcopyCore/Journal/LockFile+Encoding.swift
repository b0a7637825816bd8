import Foundation

/// Each record's canonical encoding, kept between saves of one lock file so that a save
/// re-encodes only the records that changed.
///
/// Apply saves the lock file before and after every write; encoding all N records each time made
/// an apply of N copies quadratic in CPU (1,000 copies: 16 s of CPU, 88 % of it encoding).
public final class LockRecordEncodings: @unchecked Sendable {
    private let lock = NSLock()
    private var cache: [CopyIdentity: (record: LockRecord, bytes: [UInt8])] = [:]
    /// The size of the last file encoded (to reserve the next one's at once, and to tell when a
    /// journal beside it has outgrown it).
    public internal(set) var lastSize: Int {
        get { lock.withLock { size } }
        set { lock.withLock { size = newValue } }
    }
    private var size = 0

    public init() {}

    /// The record's bytes as they appear in the file's `records` array (indented for it, without a
    /// trailing comma or newline).
    func bytes(of record: LockRecord) throws(CanonicalJSON.EncodingFailure) -> [UInt8] {
        if let hit = lock.withLock({ cache[record.identity] }), hit.record == record { return hit.bytes }
        let standalone = try CanonicalJSON.encode(record)
        var nested: [UInt8] = []
        nested.reserveCapacity(standalone.count + standalone.count / 8)
        // Standalone, the record is at depth 0; in the file it is an element of `records` (depth 2):
        // every line but the first moves in by four spaces. A newline only occurs between tokens
        // (inside strings it is escaped), and the trailing one is dropped.
        for byte in standalone.dropLast() {
            nested.append(byte)
            if byte == 0x0A { nested.append(contentsOf: [0x20, 0x20, 0x20, 0x20]) }
        }
        lock.withLock { cache[record.identity] = (record, nested) }
        return nested
    }
}

extension LockFile {
    /// The file's bytes, exactly as ``encoded()`` writes them, reusing `encodings` for records
    /// that did not change since the last call with it.
    public func encoded(reusing encodings: LockRecordEncodings) throws(CanonicalJSON.EncodingFailure) -> [UInt8] {
        guard !order.isEmpty else { return try encoded() }
        let head = try LockFile(lineage: lineage, serial: serial).encoded()
        let marker = Array("\"records\": []".utf8)
        guard version == Self.currentVersion, let place = head.firstRange(of: marker) else { return try encoded() }
        var out: [UInt8] = []
        out.reserveCapacity(encodings.lastSize + 4096)
        out.append(contentsOf: head[..<place.lowerBound])
        out.append(contentsOf: Array("\"records\": [".utf8))
        // In `order`, as ``records`` lists them, without copying the list.
        for (index, identity) in order.enumerated() {
            guard let record = byIdentity[identity] else { continue }
            out.append(contentsOf: index == 0 ? [0x0A] : [UInt8(ascii: ","), 0x0A])
            out.append(contentsOf: [0x20, 0x20, 0x20, 0x20])
            out.append(contentsOf: try encodings.bytes(of: record))
        }
        out.append(contentsOf: [0x0A, 0x20, 0x20, UInt8(ascii: "]")])
        out.append(contentsOf: head[place.upperBound...])
        encodings.lastSize = out.count
        return out
    }
}
