import CArchive

/// Streams the regular files of a tar, tar.gz or zip archive through libarchive.
///
/// The archive is read front to back and never unpacked to disk. libarchive detects the
/// compression and format from the content (gzip, bzip2, xz; ustar with its `prefix` field for
/// long names, pax, GNU tar; zip).
enum ArchiveReader {
  /// Calls `body` for every entry but folders, in archive order.
  ///
  /// Files that `wants` rejects reach `body` with `nil` bytes and their data is never read.
  /// Entries that must not be read reach `body` with `nil` bytes and a reason, their data
  /// unread: links, devices and FIFOs (``SkipReason/notRegularFile(_:)``), absolute paths and
  /// paths with a `..` component (``SkipReason/unsafePath``), and wanted files over `maxBytes`
  /// by their header (``SkipReason/tooLarge(bytes:)``; a file without a recorded size is read
  /// until it passes `maxBytes`).
  /// - Parameters:
  ///   - path: the archive file.
  ///   - maxBytes: the largest file whose data is read.
  ///   - wants: decides from an entry's path whether its bytes are needed.
  ///   - body: receives an entry's path, its bytes when wanted and read (otherwise `nil`), and
  ///     the reason it was not read, if any.
  /// - Throws: `DatasetError.archive` when libarchive cannot open or read the archive (not an
  ///   archive, truncated, corrupt compression).
  static func forEachFile(
    in path: String, maxBytes: Int, wants: (String) -> Bool,
    body: (String, [UInt8]?, SkipReason?) -> Void
  ) throws(DatasetError) {
    guard let archive = archive_read_new() else {
      throw .archive(path: path, reason: "libarchive could not start")
    }
    defer { archive_read_free(archive) }
    archive_read_support_filter_all(archive)
    archive_read_support_format_tar(archive)
    archive_read_support_format_gnutar(archive)
    archive_read_support_format_zip(archive)
    guard archive_read_open_filename(archive, path, 1 << 16) == ARCHIVE_OK else {
      throw .archive(path: path, reason: message(of: archive))
    }

    var buffer = [UInt8](repeating: 0, count: 1 << 16)
    var entry: OpaquePointer?
    while true {
      let status = archive_read_next_header(archive, &entry)
      if status == ARCHIVE_EOF { return }
      guard status == ARCHIVE_OK || status == ARCHIVE_WARN, let entry else {
        throw .archive(path: path, reason: message(of: archive))
      }
      let type = archive_entry_filetype(entry)
      if type == directoryType { continue }
      let name = entryName(entry)
      if isUnsafe(name) {
        body(name, nil, .unsafePath)
      } else if archive_entry_hardlink(entry) != nil {
        body(name, nil, .notRegularFile("hard link"))
      } else if type != regularType {
        body(name, nil, .notRegularFile(FileIO.typeName(mode: mode_t(type))))
      } else if !wants(name) {
        body(name, nil, nil)
      } else if archive_entry_size_is_set(entry) != 0, archive_entry_size(entry) > maxBytes {
        body(name, nil, .tooLarge(bytes: Int(archive_entry_size(entry))))
      } else if let bytes = try readData(
        archive, entry: name, path: path, limit: maxBytes, buffer: &buffer)
      {
        body(name, bytes, nil)
      } else {
        body(name, nil, .tooLarge(bytes: nil))
      }
    }
  }

  /// libarchive's `AE_IFREG` and `AE_IFDIR`.
  private static let regularType: UInt32 = 0o100000
  private static let directoryType: UInt32 = 0o040000

  /// Whether an entry path is absolute or climbs out with a `..` component.
  static func isUnsafe(_ name: String) -> Bool {
    name.hasPrefix("/") || name.split(separator: "/").contains("..")
  }

  /// An entry's data, or `nil` (with the rest left unread) once it passes `limit` bytes.
  private static func readData(
    _ archive: OpaquePointer, entry: String, path: String, limit: Int, buffer: inout [UInt8]
  ) throws(DatasetError) -> [UInt8]? {
    var bytes: [UInt8] = []
    while true {
      guard bytes.count <= limit else { return nil }
      let count = buffer.withUnsafeMutableBytes {
        archive_read_data(archive, $0.baseAddress, $0.count)
      }
      if count == 0 { return bytes }
      guard count > 0 else {
        throw .archive(path: path, reason: "entry \(entry): \(message(of: archive))")
      }
      bytes.append(contentsOf: buffer[0..<count])
    }
  }

  private static func entryName(_ entry: OpaquePointer) -> String {
    // The stored bytes first: for tar they need no character-set conversion (which costs more
    // than the rest of the header). Zip names that the locale cannot represent come back `nil`
    // there and are asked for as UTF-8 instead. Invalid UTF-8 is repaired by `String`.
    if let raw = archive_entry_pathname(entry) { return String(cString: raw) }
    if let utf8 = archive_entry_pathname_utf8(entry) { return String(cString: utf8) }
    return ""
  }

  private static func message(of archive: OpaquePointer) -> String {
    archive_error_string(archive).map { String(cString: $0) } ?? "unknown libarchive error"
  }
}
