import CArchive
import Foundation

/// Reads and builds the zip archives that hold `.keras` models, through libarchive.
///
/// Entries are written uncompressed (`stored`), as Keras writes them; reading accepts stored and
/// deflated entries.
enum ZipArchive {
  /// Every regular file in a zip archive, by entry name.
  /// - Parameter path: the archive file.
  /// - Returns: the contents of each entry, by name.
  /// - Throws: ``KerasError/archive(path:problem:)`` when it is not a readable zip archive.
  static func entries(ofFileAt path: String) throws(KerasError) -> [String: [UInt8]] {
    guard let archive = archive_read_new() else {
      throw .archive(path: path, problem: "libarchive could not allocate a reader")
    }
    defer { archive_read_free(archive) }
    archive_read_support_format_zip(archive)
    guard archive_read_open_filename(archive, path, 1 << 16) == ARCHIVE_OK else {
      throw .archive(path: path, problem: "not a zip archive: \(message(archive))")
    }

    var entries: [String: [UInt8]] = [:]
    var entry: OpaquePointer?
    while true {
      let status = archive_read_next_header(archive, &entry)
      if status == ARCHIVE_EOF { break }
      guard status == ARCHIVE_OK || status == ARCHIVE_WARN, let entry,
        let rawName = archive_entry_pathname(entry)
      else {
        throw .archive(path: path, problem: "damaged zip archive: \(message(archive))")
      }
      let name = String(cString: rawName)
      var bytes: [UInt8] = []
      var chunk = [UInt8](repeating: 0, count: 1 << 16)
      while true {
        let count = chunk.withUnsafeMutableBytes {
          archive_read_data(archive, $0.baseAddress, $0.count)
        }
        guard count >= 0 else {
          throw .archive(path: path, problem: "entry '\(name)': \(message(archive))")
        }
        if count == 0 { break }
        bytes.append(contentsOf: chunk[0..<count])
      }
      entries[name] = bytes
    }
    return entries
  }

  /// A zip archive holding `entries` in the given order, uncompressed, as bytes.
  /// - Parameters:
  ///   - entries: entry names and contents.
  ///   - path: the file it is meant for, for messages.
  /// - Returns: the archive's bytes.
  /// - Throws: ``KerasError/archive(path:problem:)`` when libarchive refuses.
  static func archive(_ entries: [(name: String, bytes: [UInt8])], path: String)
    throws(KerasError) -> [UInt8]
  {
    guard let archive = archive_write_new() else {
      throw .archive(path: path, problem: "libarchive could not allocate a writer")
    }
    defer { archive_write_free(archive) }
    archive_write_set_format_zip(archive)
    archive_write_set_options(archive, "zip:compression=store")
    // The stored archive is the contents plus a few hundred bytes of headers per entry.
    let capacity = entries.reduce(4096) { $0 + $1.bytes.count + 512 + 2 * $1.name.utf8.count }
    var output = [UInt8](repeating: 0, count: capacity)
    var used = 0
    let status = output.withUnsafeMutableBytes { buffer -> Int32 in
      guard archive_write_open_memory(archive, buffer.baseAddress, capacity, &used) == ARCHIVE_OK
      else { return ARCHIVE_FATAL }
      for (name, bytes) in entries {
        guard let entry = archive_entry_new() else { return ARCHIVE_FATAL }
        defer { archive_entry_free(entry) }
        archive_entry_set_pathname(entry, name)
        archive_entry_set_filetype(entry, 0o100000)
        archive_entry_set_perm(entry, 0o644)
        archive_entry_set_size(entry, Int64(bytes.count))
        // A fixed time stamp keeps the archive a function of its contents.
        archive_entry_set_mtime(entry, 315_532_800, 0)
        guard archive_write_header(archive, entry) == ARCHIVE_OK else { return ARCHIVE_FATAL }
        let written = bytes.withUnsafeBytes {
          archive_write_data(archive, $0.baseAddress, $0.count)
        }
        guard written == bytes.count else { return ARCHIVE_FATAL }
      }
      return archive_write_close(archive)
    }
    guard status == ARCHIVE_OK else {
      throw .archive(path: path, problem: "cannot build the zip archive: \(message(archive))")
    }
    return Array(output[0..<used])
  }

  private static func message(_ archive: OpaquePointer) -> String {
    archive_error_string(archive).map { String(cString: $0) } ?? "unknown libarchive error"
  }
}
