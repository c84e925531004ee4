/// One record of a TensorBoard event file: a wall time, a step, and a file version or scalars.
///
/// This is the subset of TensorFlow's `Event` protobuf that scalar logging uses:
/// ```
/// Event   { double wall_time = 1; int64 step = 2; string file_version = 3; Summary summary = 5; }
/// Summary { repeated Value value = 1; }
/// Value   { string tag = 1; float simple_value = 2; }
/// ```
public struct TensorBoardEvent: Sendable, Equatable {
  /// One named scalar of a summary.
  public struct Scalar: Sendable, Equatable {
    /// The tag, such as `train/loss`.
    public var tag: String
    /// The value.
    public var value: Float

    /// Creates a scalar.
    /// - Parameters:
    ///   - tag: the tag, such as `val/accuracy`.
    ///   - value: the value.
    public init(tag: String, value: Float) {
      self.tag = tag
      self.value = value
    }
  }

  /// Seconds since the Unix epoch when the event was recorded.
  public var wallTime: Double
  /// The global training step.
  public var step: Int64
  /// The format version (`brain.Event:2`) in the first record of a file; otherwise `nil`.
  public var fileVersion: String?
  /// The scalars of the event's summary; empty for the file-version record.
  public var scalars: [Scalar]

  /// Creates an event.
  /// - Parameters:
  ///   - wallTime: seconds since the Unix epoch.
  ///   - step: the global training step.
  ///   - fileVersion: `brain.Event:2` for a file's first record; default `nil`.
  ///   - scalars: the summary's scalars; default none.
  public init(wallTime: Double, step: Int64, fileVersion: String? = nil, scalars: [Scalar] = []) {
    self.wallTime = wallTime
    self.step = step
    self.fileVersion = fileVersion
    self.scalars = scalars
  }

  // MARK: - Encoding

  /// The protobuf encoding of the event.
  func encoded() -> [UInt8] {
    var writer = ProtobufWriter()
    writer.writeDouble(field: 1, wallTime)
    writer.writeVarint(field: 2, UInt64(bitPattern: step))
    if let fileVersion {
      writer.writeBytes(field: 3, Array(fileVersion.utf8))
    }
    if !scalars.isEmpty {
      var summary = ProtobufWriter()
      for scalar in scalars {
        var value = ProtobufWriter()
        value.writeBytes(field: 1, Array(scalar.tag.utf8))
        value.writeFloat(field: 2, scalar.value)
        summary.writeBytes(field: 1, value.bytes)
      }
      writer.writeBytes(field: 5, summary.bytes)
    }
    return writer.bytes
  }

  // MARK: - Decoding

  /// Decodes an event, skipping fields this subset does not model.
  /// - Throws: a description of the first malformed field.
  static func decode(_ bytes: ArraySlice<UInt8>) throws(ProtobufError) -> TensorBoardEvent {
    var event = TensorBoardEvent(wallTime: 0, step: 0)
    var reader = ProtobufReader(bytes)
    while let field = try reader.nextField() {
      switch (field.number, field.value) {
      case (1, .fixed64(let bits)): event.wallTime = Double(bitPattern: bits)
      case (2, .varint(let value)): event.step = Int64(bitPattern: value)
      case (3, .bytes(let text)): event.fileVersion = String(decoding: text, as: UTF8.self)
      case (5, .bytes(let summary)): event.scalars += try decodeSummary(summary)
      default: break
      }
    }
    return event
  }

  private static func decodeSummary(
    _ bytes: ArraySlice<UInt8>
  ) throws(ProtobufError) -> [Scalar] {
    var scalars: [Scalar] = []
    var reader = ProtobufReader(bytes)
    while let field = try reader.nextField() {
      guard field.number == 1, case .bytes(let valueBytes) = field.value else { continue }
      var scalar = Scalar(tag: "", value: 0)
      var valueReader = ProtobufReader(valueBytes)
      while let valueField = try valueReader.nextField() {
        switch (valueField.number, valueField.value) {
        case (1, .bytes(let tag)): scalar.tag = String(decoding: tag, as: UTF8.self)
        case (2, .fixed32(let bits)): scalar.value = Float(bitPattern: bits)
        default: break
        }
      }
      scalars.append(scalar)
    }
    return scalars
  }
}
