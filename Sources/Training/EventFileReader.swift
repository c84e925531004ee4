import Foundation

/// Reads TensorBoard event files written by ``EventFileWriter`` (or TensorFlow), checking CRCs.
///
/// Each TFRecord's length and data CRC-32C are verified; a torn record at the end of the file
/// (one still being written) is an error like any other, so call this on closed files.
public enum EventFileReader {
  /// Returns all events in a file, in order.
  /// - Parameter url: the event file.
  /// - Returns: the decoded events, starting with the file-version record.
  /// - Throws: ``TrainingError/io(path:operation:reason:)`` if the file cannot be read, and
  ///   ``TrainingError/malformedEventFile(path:offset:problem:)`` for a truncated record, a CRC
  ///   mismatch or undecodable event bytes.
  public static func events(at url: URL) throws(TrainingError) -> [TensorBoardEvent] {
    let path = url.path
    let bytes = try PosixFile.readAll(path)
    var events: [TensorBoardEvent] = []
    var offset = 0
    while offset < bytes.count {
      func fail(_ problem: String) -> TrainingError {
        .malformedEventFile(path: path, offset: offset, problem: problem)
      }
      // A record is at least 16 bytes: the 12-byte header and the 4-byte data CRC.
      guard bytes.count - offset >= 16 else {
        throw fail("a record needs at least 16 bytes, \(bytes.count - offset) remain")
      }
      let header = bytes[offset..<offset + 8]
      let length = littleEndian(UInt64.self, bytes, at: offset)
      let headerCRC = littleEndian(UInt32.self, bytes, at: offset + 8)
      guard headerCRC == CRC32C.masked(CRC32C.checksum(header)) else {
        throw fail("length CRC mismatch")
      }
      guard length <= UInt64(bytes.count - offset - 16) else {
        throw fail("data of \(length) bytes runs past the end of the file")
      }
      let dataStart = offset + 12
      let data = bytes[dataStart..<dataStart + Int(length)]
      let dataCRC = littleEndian(UInt32.self, bytes, at: dataStart + Int(length))
      guard dataCRC == CRC32C.masked(CRC32C.checksum(data)) else {
        throw fail("data CRC mismatch")
      }
      do {
        events.append(try TensorBoardEvent.decode(data))
      } catch {
        throw fail("bad event: \(error.problem)")
      }
      offset = dataStart + Int(length) + 4
    }
    return events
  }

  /// Returns the event files directly inside a directory, sorted by name.
  /// - Parameter directory: a run's log directory.
  /// - Returns: the files whose names contain `tfevents`; empty if the directory is unreadable.
  public static func eventFiles(in directory: URL) -> [URL] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
    return names.filter { $0.contains("tfevents") }.sorted()
      .map { directory.appendingPathComponent($0) }
  }

  private static func littleEndian<T: FixedWidthInteger>(
    _ type: T.Type, _ bytes: [UInt8], at offset: Int
  ) -> T {
    var value: T = 0
    for index in 0..<MemoryLayout<T>.size {
      value |= T(bytes[offset + index]) << (8 * index)
    }
    return value
  }
}
