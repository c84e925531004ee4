/// A problem found while decoding protobuf bytes.
struct ProtobufError: Error {
  /// What is wrong, for example `truncated varint at byte 12`.
  var problem: String
}

/// Appends protobuf fields to a byte buffer (proto3 wire format, little-endian fixed fields).
struct ProtobufWriter {
  /// The encoded message so far.
  private(set) var bytes: [UInt8] = []

  /// Appends a base-128 varint.
  mutating func appendVarint(_ value: UInt64) {
    var rest = value
    while rest >= 0x80 {
      bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
      rest >>= 7
    }
    bytes.append(UInt8(rest))
  }

  /// Appends a varint field (wire type 0).
  mutating func writeVarint(field: Int, _ value: UInt64) {
    appendVarint(UInt64(field << 3 | 0))
    appendVarint(value)
  }

  /// Appends a 64-bit field holding a double (wire type 1).
  mutating func writeDouble(field: Int, _ value: Double) {
    appendVarint(UInt64(field << 3 | 1))
    appendLittleEndian(value.bitPattern)
  }

  /// Appends a length-delimited field (wire type 2).
  mutating func writeBytes(field: Int, _ value: [UInt8]) {
    appendVarint(UInt64(field << 3 | 2))
    appendVarint(UInt64(value.count))
    bytes += value
  }

  /// Appends a 32-bit field holding a float (wire type 5).
  mutating func writeFloat(field: Int, _ value: Float) {
    appendVarint(UInt64(field << 3 | 5))
    appendLittleEndian(value.bitPattern)
  }

  private mutating func appendLittleEndian<T: FixedWidthInteger>(_ value: T) {
    withUnsafeBytes(of: value.littleEndian) { bytes += $0 }
  }
}

/// Reads the fields of one protobuf message in order.
struct ProtobufReader {
  /// The payload of one field, by wire type.
  enum Value {
    case varint(UInt64)
    case fixed64(UInt64)
    case bytes(ArraySlice<UInt8>)
    case fixed32(UInt32)
  }

  private let bytes: ArraySlice<UInt8>
  private var position: Int

  /// Creates a reader over one message.
  init(_ bytes: ArraySlice<UInt8>) {
    self.bytes = bytes
    position = bytes.startIndex
  }

  /// Returns the next field, or `nil` at the end of the message.
  mutating func nextField() throws(ProtobufError) -> (number: Int, value: Value)? {
    guard position < bytes.endIndex else { return nil }
    let key = try readVarint()
    let number = Int(key >> 3)
    guard number > 0 else { throw ProtobufError(problem: "field number 0") }
    switch key & 7 {
    case 0: return (number, .varint(try readVarint()))
    case 1: return (number, .fixed64(try readFixed(UInt64.self)))
    case 2:
      let length = try readVarint()
      guard length <= UInt64(bytes.endIndex - position) else {
        throw ProtobufError(problem: "field \(number) of \(length) bytes runs past the message")
      }
      let value = bytes[position..<position + Int(length)]
      position += Int(length)
      return (number, .bytes(value))
    case 5: return (number, .fixed32(try readFixed(UInt32.self)))
    default: throw ProtobufError(problem: "field \(number) has unsupported wire type \(key & 7)")
    }
  }

  private mutating func readVarint() throws(ProtobufError) -> UInt64 {
    var value: UInt64 = 0
    var shift: UInt64 = 0
    while position < bytes.endIndex && shift < 64 {
      let byte = bytes[position]
      position += 1
      value |= UInt64(byte & 0x7F) << shift
      if byte < 0x80 { return value }
      shift += 7
    }
    throw ProtobufError(problem: "truncated varint")
  }

  private mutating func readFixed<T: FixedWidthInteger>(_ type: T.Type) throws(ProtobufError) -> T {
    let size = MemoryLayout<T>.size
    guard bytes.endIndex - position >= size else {
      throw ProtobufError(problem: "truncated \(size * 8)-bit field")
    }
    var value: T = 0
    for index in 0..<size {
      value |= T(bytes[position + index]) << (8 * index)
    }
    position += size
    return value
  }
}
