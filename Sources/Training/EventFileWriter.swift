import Foundation

#if canImport(Glibc)
  import Glibc
#else
  import Darwin
#endif

/// Writes scalars to a TensorBoard event file that TensorBoard reads, also while it grows.
///
/// The file is `<directory>/events.out.tfevents.<unix seconds>.<hostname>` (with `.1`, `.2` …
/// appended if that name is taken). Each record is framed as TFRecord:
/// ```
/// uint64 length | uint32 masked_crc32c(length) | data | uint32 masked_crc32c(data)
/// ```
/// all little-endian, where `data` is an encoded ``TensorBoardEvent``. The first record holds
/// the file version `brain.Event:2`.
///
/// Records collect in a small buffer that is written out when it passes `flushThreshold` bytes,
/// when an add comes `flushInterval` seconds or more after the last write, on ``flush()`` and on
/// ``close()``. Callers flush at epoch ends so a running TensorBoard shows each epoch at once.
public final class EventFileWriter {
  /// The event file being written.
  public let fileURL: URL

  private var descriptor: Int32
  private var buffer: [UInt8] = []
  private let flushThreshold: Int
  private let flushInterval: Double
  private let clock: () -> Double
  private var lastFlushTime: Double

  /// Creates the directory if needed, creates a new event file in it and writes the version.
  /// - Parameters:
  ///   - directory: the run's log directory, such as `logs/run-1`.
  ///   - hostname: the file name's last part; default the machine's host name.
  ///   - flushThreshold: buffered bytes that trigger a write; default 4096.
  ///   - flushInterval: seconds after which the next add writes the buffer out; default 2.
  ///   - clock: the wall clock in seconds since the Unix epoch; default the system clock.
  /// - Throws: ``TrainingError/io(path:operation:reason:)`` if the directory or file cannot be
  ///   created or written.
  public init(
    directory: URL, hostname: String? = nil, flushThreshold: Int = 4096,
    flushInterval: Double = 2, clock: @escaping () -> Double = { Date().timeIntervalSince1970 }
  ) throws(TrainingError) {
    precondition(flushThreshold >= 0, "flushThreshold must be non-negative, got \(flushThreshold)")
    try PosixFile.makeDirectories(directory.path)
    let now = clock()
    let stem = "events.out.tfevents.\(Int64(now.rounded(.down))).\(hostname ?? Self.hostName())"
    var suffix = 0
    while true {
      let name = suffix == 0 ? stem : stem + ".\(suffix)"
      let url = directory.appendingPathComponent(name)
      if let opened = try PosixFile.createNewFile(url.path) {
        fileURL = url
        descriptor = opened
        break
      }
      suffix += 1
    }
    self.flushThreshold = flushThreshold
    self.flushInterval = flushInterval
    self.clock = clock
    lastFlushTime = now

    try add(TensorBoardEvent(wallTime: now, step: 0, fileVersion: "brain.Event:2"))
    try flush()
  }

  deinit {
    if descriptor >= 0 {
      try? flush()
      PosixFile.closeQuietly(descriptor)
    }
  }

  /// Records one scalar at a step, stamped with the current wall time.
  /// - Parameters:
  ///   - tag: the tag, such as `train/loss`.
  ///   - value: the value.
  ///   - step: the global training step.
  /// - Throws: ``TrainingError/io(path:operation:reason:)`` if a buffer write fails.
  public func addScalar(_ tag: String, value: Float, step: Int) throws(TrainingError) {
    try add(
      TensorBoardEvent(
        wallTime: clock(), step: Int64(step), scalars: [.init(tag: tag, value: value)]))
  }

  /// Records an event as one TFRecord.
  /// - Parameter event: the event to write.
  /// - Throws: ``TrainingError/io(path:operation:reason:)`` if a buffer write fails.
  /// - Precondition: the writer is not closed.
  public func add(_ event: TensorBoardEvent) throws(TrainingError) {
    precondition(descriptor >= 0, "EventFileWriter for \(fileURL.path) is closed")
    let data = event.encoded()
    var header: [UInt8] = []
    Self.appendLittleEndian(UInt64(data.count), to: &header)
    buffer += header
    Self.appendLittleEndian(CRC32C.masked(CRC32C.checksum(header)), to: &buffer)
    buffer += data
    Self.appendLittleEndian(CRC32C.masked(CRC32C.checksum(data)), to: &buffer)

    if buffer.count >= flushThreshold || clock() - lastFlushTime >= flushInterval {
      try flush()
    }
  }

  /// Writes buffered records to the file so that readers see them.
  /// - Throws: ``TrainingError/io(path:operation:reason:)`` if the write fails.
  public func flush() throws(TrainingError) {
    guard descriptor >= 0 else { return }
    lastFlushTime = clock()
    guard !buffer.isEmpty else { return }
    try PosixFile.writeAll(descriptor, buffer, path: fileURL.path)
    buffer.removeAll(keepingCapacity: true)
  }

  /// Flushes, syncs the file to storage and closes it; later calls do nothing.
  /// - Throws: ``TrainingError/io(path:operation:reason:)`` if a write, `fsync` or close fails.
  public func close() throws(TrainingError) {
    guard descriptor >= 0 else { return }
    let open = descriptor
    defer { descriptor = -1 }
    do throws(TrainingError) {
      try flush()
      try PosixFile.sync(open, path: fileURL.path)
    } catch {
      PosixFile.closeQuietly(open)
      throw error
    }
    try PosixFile.closeFile(open, path: fileURL.path)
  }

  private static func appendLittleEndian<T: FixedWidthInteger>(_ value: T, to bytes: inout [UInt8])
  {
    withUnsafeBytes(of: value.littleEndian) { bytes += $0 }
  }

  private static func hostName() -> String {
    var name = [CChar](repeating: 0, count: 256)
    guard gethostname(&name, name.count - 1) == 0 else { return "localhost" }
    let bytes = name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
    return String(decoding: bytes, as: UTF8.self)
  }
}
