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
      PosixFile.closeQuietly(descriptor)
      PosixFile.removeQuietly(temporary)
      throw error
    }

    do throws(TrainingError) {
      try PosixFile.closeFile(descriptor, path: temporary)
      try PosixFile.moveFile(temporary, over: target)
    } catch {
      PosixFile.removeQuietly(temporary)
      throw error
    }

    let directoryDescriptor = try PosixFile.openFile(directory, flags: O_RDONLY | O_DIRECTORY)
    defer { PosixFile.closeQuietly(directoryDescriptor) }
    try PosixFile.sync(directoryDescriptor, path: directory)
  }

  /// Creates a new, empty temporary file beside `url` and returns its path and descriptor.
  ///
  /// The name is `.<name>.tmp-<pid>-<nanoseconds>-<attempt>`, unique among concurrent writers.
  private static func createTemporary(
    next url: URL
  ) throws(TrainingError) -> (String, Int32) {
    let directory = url.deletingLastPathComponent().path
    let stem = "." + url.lastPathComponent + ".tmp-\(getpid())-"
    for attempt in 0..<100 {
      var now = timespec()
      clock_gettime(CLOCK_REALTIME, &now)
      let path = directory + "/" + stem + "\(now.tv_nsec)-\(attempt)"
      if let descriptor = try PosixFile.createNewFile(path) { return (path, descriptor) }
    }
    throw TrainingError.io(
      path: directory, operation: "open", reason: "no free temporary name after 100 attempts")
  }
}
