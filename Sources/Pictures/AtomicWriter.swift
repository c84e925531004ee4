import Foundation

#if canImport(Glibc)
  import Glibc
#else
  import Darwin
#endif

/// Replaces a file atomically: temporary file in the same directory, `fsync`, `rename`, then
/// `fsync` of the directory so the rename itself is durable.
enum AtomicWriter {
  /// Writes `bytes` to a fresh temporary file beside `url` and renames it over `url`.
  static func replaceFile(at url: URL, with bytes: [UInt8]) throws(PicturesError) {
    let target = url.path
    let (temporary, descriptor) = try createTemporary(beside: url)

    var failed: PicturesError?
    bytes.withUnsafeBytes { buffer in
      guard let base = buffer.baseAddress else { return }
      var offset = 0
      while offset < buffer.count, failed == nil {
        let count = write(descriptor, base + offset, buffer.count - offset)
        if count < 0, errno != EINTR { failed = failure(temporary, "write") }
        if count > 0 { offset += count }
      }
    }
    if failed == nil, fsync(descriptor) != 0 { failed = failure(temporary, "fsync") }
    if close(descriptor) != 0, failed == nil { failed = failure(temporary, "close") }
    if failed == nil, rename(temporary, target) != 0 { failed = failure(target, "rename") }
    if let failed {
      unlink(temporary)
      throw failed
    }

    let directory = url.deletingLastPathComponent().path
    let directoryDescriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    guard directoryDescriptor >= 0 else { throw failure(directory, "open") }
    defer { close(directoryDescriptor) }
    guard fsync(directoryDescriptor) == 0 else { throw failure(directory, "fsync") }
  }

  /// Creates `.<name>.tmp-<pid>-<nanoseconds>-<attempt>` beside `url` with `O_EXCL`, trying
  /// further attempt numbers while the name is taken.
  private static func createTemporary(
    beside url: URL
  ) throws(PicturesError) -> (path: String, descriptor: Int32) {
    var now = timespec()
    clock_gettime(CLOCK_REALTIME, &now)
    let stem =
      url.deletingLastPathComponent().path + "/." + url.lastPathComponent
      + ".tmp-\(getpid())-\(now.tv_sec)\(now.tv_nsec)-"
    for attempt in 0..<100 {
      let path = stem + String(attempt)
      let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
      if descriptor >= 0 { return (path, descriptor) }
      if errno != EEXIST { throw failure(path, "open") }
    }
    throw PicturesError.io(
      path: stem + "99", operation: "open", reason: "no free temporary name after 100 attempts")
  }

  private static func failure(_ path: String, _ operation: String) -> PicturesError {
    .io(path: path, operation: operation, reason: String(cString: strerror(errno)))
  }
}
