import Foundation

#if canImport(Glibc)
  import Glibc
#else
  import Darwin
#endif

/// Writes whole files atomically: readers see either the old file or the complete new one.
///
/// The data goes to a temporary file in the target's directory, which is flushed with `fsync`
/// and renamed over the target; the directory is then flushed so the rename itself survives a
/// crash. If any step fails, the temporary file is removed and the old file is left untouched.
public enum AtomicFile {
  /// Replaces the file at `url` with `data`, atomically.
  /// - Parameters:
  ///   - data: the complete new contents.
  ///   - url: a file URL; its directory must exist.
  /// - Throws: ``FileError/io(path:operation:reason:)`` naming the failed call and path.
  public static func write(_ data: Data, to url: URL) throws(FileError) {
    try write(Array(data), to: url)
  }

  /// Replaces the file at `url` with `bytes`, atomically.
  /// - Parameters:
  ///   - bytes: the complete new contents.
  ///   - url: a file URL; its directory must exist.
  /// - Throws: ``FileError/io(path:operation:reason:)`` naming the failed call and path.
  public static func write(_ bytes: [UInt8], to url: URL) throws(FileError) {
    let (temporary, descriptor) = try createTemporaryFile(beside: url)
    do throws(FileError) {
      try writeAll(descriptor, bytes, path: temporary)
      guard fsync(descriptor) == 0 else { throw failure(temporary, "fsync") }
    } catch {
      _ = close(descriptor)
      unlink(temporary)
      throw error
    }
    do throws(FileError) {
      guard close(descriptor) == 0 else { throw failure(temporary, "close") }
      guard rename(temporary, url.path) == 0 else { throw failure(url.path, "rename") }
    } catch {
      unlink(temporary)
      throw error
    }
    try syncDirectory(of: url)
  }

  /// Creates a new, empty file beside `url` under a name no other writer uses
  /// (`.<name>.tmp-<pid>-<nanoseconds>-<attempt>`) and returns its path, for contents written
  /// by other means (a streaming archive writer) and then moved with ``moveDurably(_:over:)``.
  /// - Parameter url: the file that will be replaced; its directory must exist.
  /// - Returns: the temporary file's path.
  /// - Throws: ``FileError/io(path:operation:reason:)`` when it cannot be created.
  public static func createTemporary(beside url: URL) throws(FileError) -> String {
    let (path, descriptor) = try createTemporaryFile(beside: url)
    _ = close(descriptor)
    return path
  }

  /// Moves a complete file over `target` durably.
  ///
  /// The steps are `fsync` of the file, `rename`, then `fsync` of the target's directory. The
  /// source is left in place when any step fails.
  /// - Parameters:
  ///   - source: the finished file, in the same file system as `target`.
  ///   - target: the final path.
  /// - Throws: ``FileError/io(path:operation:reason:)`` naming the failed call and path.
  public static func moveDurably(_ source: String, over target: String) throws(FileError) {
    let descriptor = open(source, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else { throw failure(source, "open") }
    guard fsync(descriptor) == 0 else {
      let error = failure(source, "fsync")
      _ = close(descriptor)
      throw error
    }
    guard close(descriptor) == 0 else { throw failure(source, "close") }
    guard rename(source, target) == 0 else { throw failure(target, "rename") }
    try syncDirectory(of: URL(fileURLWithPath: target))
  }

  private static func createTemporaryFile(
    beside url: URL
  ) throws(FileError) -> (path: String, descriptor: Int32) {
    let directory = url.deletingLastPathComponent().path
    let stem = "." + url.lastPathComponent + ".tmp-\(getpid())-"
    for attempt in 0..<100 {
      var now = timespec()
      clock_gettime(CLOCK_REALTIME, &now)
      let path = directory + "/" + stem + "\(now.tv_sec)\(now.tv_nsec)-\(attempt)"
      let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
      if descriptor >= 0 { return (path, descriptor) }
      if errno != EEXIST { throw failure(path, "open") }
    }
    throw .io(
      path: directory, operation: "open", reason: "no free temporary name after 100 attempts")
  }

  /// Writes all of `bytes` to an open descriptor, retrying short writes and interrupts.
  /// - Parameters:
  ///   - descriptor: a descriptor open for writing.
  ///   - bytes: what to write.
  ///   - path: the file's path, for the error message.
  /// - Throws: ``FileError/io(path:operation:reason:)`` naming `write` and the system's reason.
  public static func writeAll(_ descriptor: Int32, _ bytes: [UInt8], path: String)
    throws(FileError)
  {
    let error: FileError? = bytes.withUnsafeBytes { buffer in
      guard let base = buffer.baseAddress else { return nil }
      var offset = 0
      while offset < buffer.count {
        let written = systemWrite(descriptor, base + offset, buffer.count - offset)
        if written < 0 {
          if errno == EINTR { continue }
          return failure(path, "write")
        }
        offset += written
      }
      return nil
    }
    if let error { throw error }
  }

  private static func syncDirectory(of url: URL) throws(FileError) {
    let directory = url.deletingLastPathComponent().path
    let descriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    guard descriptor >= 0 else { throw failure(directory, "open") }
    defer { _ = close(descriptor) }
    guard fsync(descriptor) == 0 else { throw failure(directory, "fsync") }
  }

  private static func failure(_ path: String, _ operation: String) -> FileError {
    .io(path: path, operation: operation, reason: String(cString: strerror(errno)))
  }
}

/// The C library's `write`, which `AtomicFile.write` hides inside that type.
private func systemWrite(_ descriptor: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
  write(descriptor, buffer, count)
}
