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
  /// - Throws: ``TrainingError/io(path:operation:reason:)`` naming the failed call and path.
  public static func write(_ data: Data, to url: URL) throws(TrainingError) {
    try write(Array(data), to: url)
  }

  /// Replaces the file at `url` with `bytes`, atomically.
  /// - Parameters:
  ///   - bytes: the complete new contents.
  ///   - url: a file URL; its directory must exist.
  /// - Throws: ``TrainingError/io(path:operation:reason:)`` naming the failed call and path.
  public static func write(_ bytes: [UInt8], to url: URL) throws(TrainingError) {
    let target = url.path
    let directory = url.deletingLastPathComponent().path
    let (temporary, descriptor) = try createTemporary(next: url)

    do throws(TrainingError) {
      try PosixFile.writeAll(descriptor, bytes, path: temporary)
      try PosixFile.sync(descriptor, path: temporary)
    } catch {
      _ = Glibc.close(descriptor)
      unlink(temporary)
      throw error
    }

    do throws(TrainingError) {
      try PosixFile.close(descriptor, path: temporary)
      guard rename(temporary, target) == 0 else { throw PosixFile.error(target, "rename") }
    } catch {
      unlink(temporary)
      throw error
    }

    let directoryDescriptor = try PosixFile.open(directory, flags: O_RDONLY | O_DIRECTORY)
    defer { _ = Glibc.close(directoryDescriptor) }
    try PosixFile.sync(directoryDescriptor, path: directory)
  }

  /// Creates a new, empty temporary file beside `url` and returns its path and descriptor.
  private static func createTemporary(
    next url: URL
  ) throws(TrainingError) -> (String, Int32) {
    let directory = url.deletingLastPathComponent().path
    let stem = "." + url.lastPathComponent + ".tmp-\(getpid())-"
    var attempt = 0
    while true {
      var now = timespec()
      clock_gettime(CLOCK_REALTIME, &now)
      let path = directory + "/" + stem + "\(now.tv_nsec)-\(attempt)"
      let descriptor = Glibc.open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
      if descriptor >= 0 { return (path, descriptor) }
      guard errno == EEXIST, attempt < 100 else { throw PosixFile.error(path, "open") }
      attempt += 1
    }
  }
}
