import CArchive
import Foundation
import TensorCore

#if canImport(FoundationNetworking)
  import FoundationNetworking
#endif

/// An archive published at a fixed address, with the size it must have.
public struct RemoteArchive: Sendable, Equatable {
  /// The file name, appended to the base URL and used for the local file.
  public let name: String
  /// The exact size in bytes.
  public let size: Int64

  /// Describes an archive.
  /// - Parameters:
  ///   - name: file name on the server and on disk.
  ///   - size: exact size in bytes.
  public init(name: String, size: Int64) {
    self.name = name
    self.size = size
  }

  /// `notMNIST_small.tar.gz`: 18,726 PNG files, about 1,870 per letter.
  public static let notMNISTSmall = RemoteArchive(name: "notMNIST_small.tar.gz", size: 8_458_043)
  /// `notMNIST_large.tar.gz`: 529,119 PNG files, about 52,900 per letter.
  public static let notMNISTLarge = RemoteArchive(name: "notMNIST_large.tar.gz", size: 247_336_696)
}

/// How far a download has come.
public struct DownloadProgress: Sendable, Equatable {
  /// Bytes of the file on disk so far, including any resumed part.
  public let received: Int64
  /// The file's full size.
  public let total: Int64
  /// Bytes that were already on disk when this transfer started.
  public let resumedFrom: Int64
  /// Seconds since this transfer started.
  public let elapsed: Double

  /// Creates a progress report.
  /// - Parameters:
  ///   - received: bytes on disk so far.
  ///   - total: the full size.
  ///   - resumedFrom: bytes already on disk when the transfer started.
  ///   - elapsed: seconds since the transfer started.
  public init(received: Int64, total: Int64, resumedFrom: Int64, elapsed: Double) {
    self.received = received
    self.total = total
    self.resumedFrom = resumedFrom
    self.elapsed = elapsed
  }
}

/// What `ArchiveDownloader.fetch` did.
public enum FetchOutcome: Sendable, Equatable {
  /// The archive was downloaded (resumed after `resumedFrom` bytes when that is not 0) and
  /// verified, and now lies at `path`.
  case downloaded(path: String, resumedFrom: Int64)
  /// A verified archive of the right size was already at `path`; nothing was downloaded.
  case alreadyPresent(path: String)
}

/// Downloads archives over HTTP(S) into a directory, resuming partial downloads.
///
/// The file is written to `<name>.part`. A later run that finds a `.part` file asks the server
/// for the rest with an HTTP `Range: bytes=<size>-` request; a server that ignores the range
/// (status 200) sends the whole file again. When the file is complete it is verified and only
/// then renamed to `<name>`.
///
/// - Note: No checksum of the notMNIST archives was ever published. Verification therefore
///   checks the exact byte size the course published, then reads the whole archive with
///   libarchive: every gzip block must inflate and every tar header must pass its checksum.
public struct ArchiveDownloader: Sendable {
  /// Where the Udacity deep-learning course downloads notMNIST from.
  public static let officialBaseURL = "https://commondatastorage.googleapis.com/books1000/"

  /// The address the archive names are appended to.
  public let baseURL: URL
  /// The directory the archives are written to; created when missing.
  public let directory: URL
  /// Seconds without any data before a transfer is abandoned.
  public let timeout: TimeInterval

  /// Creates a downloader.
  /// - Parameters:
  ///   - baseURL: server address; the archive name is appended.
  ///   - directory: local directory for the archives.
  ///   - timeout: idle timeout in seconds; 60 by default.
  public init(baseURL: URL, directory: URL, timeout: TimeInterval = 60) {
    self.baseURL = baseURL
    self.directory = directory
    self.timeout = timeout
  }

  /// Downloads one archive unless a verified copy is already present.
  ///
  /// - Parameters:
  ///   - archive: the name and exact size.
  ///   - progress: called a few times a second on the calling thread while bytes arrive.
  /// - Returns: whether the file was downloaded or already there, with its path.
  /// - Throws: `FetchError.network` when the server cannot be reached or the transfer breaks
  ///   (the partial file is kept for the next run), `.httpStatus` for an unexpected answer,
  ///   `.sizeMismatch` when the server's file or the result has another size,
  ///   `.corruptArchive` when the complete file is not a readable tar.gz (it is removed), and
  ///   `.fileSystem` for local file errors.
  public func fetch(
    _ archive: RemoteArchive, progress: (DownloadProgress) -> Void = { _ in }
  ) throws(FetchError) -> FetchOutcome {
    let finalPath = directory.appendingPathComponent(archive.name).path
    let partPath = finalPath + ".part"
    let url = baseURL.appendingPathComponent(archive.name)
    try makeDirectory()

    if try Self.isVerified(finalPath, size: archive.size) {
      return .alreadyPresent(path: finalPath)
    }

    var start = Self.fileSize(partPath) ?? 0
    if start > archive.size {
      try Self.remove(partPath)
      start = 0
    }
    if start < archive.size {
      let transfer = HTTPTransfer(
        url: url, partPath: partPath, offset: start, expectedSize: archive.size,
        timeout: timeout)
      do {
        try transfer.run(progress: progress)
      } catch {
        // Keep a partial file for the next run, but do not leave an empty one behind.
        if Self.fileSize(partPath) == 0 { try? Self.remove(partPath) }
        throw error
      }
      start = transfer.resumedFrom
    }

    let size = Self.fileSize(partPath) ?? 0
    guard size == archive.size else {
      if size > archive.size { try? Self.remove(partPath) }
      throw .sizeMismatch(url: url.absoluteString, expected: archive.size, found: size)
    }
    do {
      try Self.verifyArchive(atPath: partPath)
    } catch {
      try? Self.remove(partPath)
      throw error
    }
    do {
      try AtomicFile.moveDurably(partPath, over: finalPath)
    } catch {
      throw .fileSystem(path: finalPath, reason: error.description)
    }
    return .downloaded(path: finalPath, resumedFrom: start)
  }

  /// Reads a whole gzip-compressed tar archive to check that it is intact.
  /// - Parameter path: the archive.
  /// - Returns: the number of members.
  /// - Throws: `FetchError.corruptArchive` naming the file and libarchive's complaint.
  @discardableResult
  public static func verifyArchive(atPath path: String) throws(FetchError) -> Int {
    guard let reader = archive_read_new() else {
      throw .corruptArchive(path: path, reason: "libarchive could not start a reader")
    }
    defer { archive_read_free(reader) }
    archive_read_support_filter_gzip(reader)
    archive_read_support_format_tar(reader)
    guard archive_read_open_filename(reader, path, 1 << 16) == ARCHIVE_OK else {
      throw .corruptArchive(path: path, reason: message(reader))
    }

    var members = 0
    var entry: OpaquePointer?
    while true {
      let status = archive_read_next_header(reader, &entry)
      if status == ARCHIVE_EOF { break }
      guard status == ARCHIVE_OK, archive_read_data_skip(reader) == ARCHIVE_OK else {
        throw .corruptArchive(path: path, reason: "after \(members) members: \(message(reader))")
      }
      members += 1
    }
    guard members > 0 else { throw .corruptArchive(path: path, reason: "no members") }
    return members
  }

  // MARK: - Files

  /// Whether a verified archive of the right size is at `path`; `false` when there is no file.
  private static func isVerified(_ path: String, size: Int64) throws(FetchError) -> Bool {
    guard let found = fileSize(path) else { return false }
    guard found == size else { throw .sizeMismatch(url: path, expected: size, found: found) }
    try verifyArchive(atPath: path)
    return true
  }

  private func makeDirectory() throws(FetchError) {
    do {
      try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    } catch {
      throw .fileSystem(path: directory.path, reason: error.localizedDescription)
    }
  }

  static func fileSize(_ path: String) -> Int64? {
    var info = stat()
    guard stat(path, &info) == 0 else { return nil }
    return Int64(info.st_size)
  }

  static func remove(_ path: String) throws(FetchError) {
    guard unlink(path) == 0 || errno == ENOENT else {
      throw .fileSystem(path: path, reason: String(cString: strerror(errno)))
    }
  }

  private static func message(_ archive: OpaquePointer) -> String {
    archive_error_string(archive).map { String(cString: $0) } ?? "unknown libarchive error"
  }
}
