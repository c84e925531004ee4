import TensorCore

#if canImport(Glibc)
  import Glibc
#else
  import Darwin
#endif

/// Thin wrappers over POSIX file calls that turn failures into
/// ``TrainingError/io(path:operation:reason:)``.
enum PosixFile {
  /// Opens `path` with `flags` and returns its descriptor.
  static func openFile(
    _ path: String, flags: Int32, mode: mode_t = 0o644
  ) throws(TrainingError) -> Int32 {
    let descriptor = open(path, flags | O_CLOEXEC, mode)
    guard descriptor >= 0 else { throw error(path, "open") }
    return descriptor
  }

  /// Creates a new file for writing; returns `nil` if the name is taken.
  static func createNewFile(_ path: String) throws(TrainingError) -> Int32? {
    let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
    if descriptor >= 0 { return descriptor }
    if errno == EEXIST { return nil }
    throw error(path, "open")
  }

  /// Writes all of `bytes` to `descriptor`, retrying short writes and interrupts.
  static func writeAll(_ descriptor: Int32, _ bytes: [UInt8], path: String) throws(TrainingError) {
    do {
      try AtomicFile.writeAll(descriptor, bytes, path: path)
    } catch {
      throw TrainingError(error)
    }
  }

  /// Flushes a descriptor's data to the storage device.
  static func sync(_ descriptor: Int32, path: String) throws(TrainingError) {
    guard fsync(descriptor) == 0 else { throw error(path, "fsync") }
  }

  /// Closes a descriptor, reporting failures (which can carry a delayed write error).
  static func closeFile(_ descriptor: Int32, path: String) throws(TrainingError) {
    guard close(descriptor) == 0 else { throw error(path, "close") }
  }

  /// Closes a descriptor on a path that is already failing, ignoring any further error.
  static func closeQuietly(_ descriptor: Int32) {
    _ = close(descriptor)
  }

  /// Removes a file, ignoring errors; used to clean up after a failure.
  static func removeQuietly(_ path: String) {
    _ = unlink(path)
  }

  /// Renames `source` over `target`.
  static func moveFile(_ source: String, over target: String) throws(TrainingError) {
    guard rename(source, target) == 0 else { throw error(target, "rename") }
  }

  /// Reads a whole regular file.
  ///
  /// The file is opened without blocking (a FIFO would otherwise wait for a writer) and anything
  /// but a regular file, such as `/dev/zero` or a FIFO, is refused before reading.
  /// - Throws: ``TrainingError/io(path:operation:reason:)``, with the reason
  ///   `not a regular file` for devices, FIFOs, sockets and directories.
  static func readAll(_ path: String) throws(TrainingError) -> [UInt8] {
    let descriptor = try openFile(path, flags: O_RDONLY | O_NONBLOCK)
    defer { closeQuietly(descriptor) }
    var info = stat()
    guard fstat(descriptor, &info) == 0 else { throw error(path, "stat") }
    guard (info.st_mode & S_IFMT) == S_IFREG else {
      throw TrainingError.io(path: path, operation: "open", reason: "not a regular file")
    }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
      let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
      if count < 0 {
        if errno == EINTR { continue }
        throw error(path, "read")
      }
      if count == 0 { return bytes }
      bytes.append(contentsOf: chunk[0..<count])
    }
  }

  /// Creates a directory and its missing parents; succeeds if it already exists.
  static func makeDirectories(_ path: String) throws(TrainingError) {
    var current = path.hasPrefix("/") ? "" : "."
    for component in path.split(separator: "/") {
      current += "/" + component
      if mkdir(current, 0o755) != 0 && errno != EEXIST { throw error(current, "mkdir") }
    }
    var info = stat()
    guard stat(path, &info) == 0 else { throw error(path, "stat") }
    guard (info.st_mode & S_IFMT) == S_IFDIR else {
      throw TrainingError.io(
        path: path, operation: "mkdir", reason: "exists and is not a directory")
    }
  }

  /// The error for the failed `operation` on `path`, using the current `errno`.
  static func error(_ path: String, _ operation: String) -> TrainingError {
    .io(path: path, operation: operation, reason: String(cString: strerror(errno)))
  }
}
