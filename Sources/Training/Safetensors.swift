import Foundation
import TensorCore

/// Reads and writes `.safetensors` files of `F32` tensors.
///
/// Layout (https://github.com/huggingface/safetensors):
/// ```
/// uint64 header_length (little-endian) | header JSON (space-padded) | data
/// header = {"__metadata__": {string: string},
///           "<name>": {"dtype": "F32", "shape": [...], "data_offsets": [begin, end]}, ...}
/// ```
/// Offsets are relative to the start of the data section. The writer stores tensors in the
/// given order, contiguously, and pads the header with spaces so the data starts at a multiple
/// of 8 bytes. The reader checks every field before trusting it.
public enum Safetensors {
  /// The contents of a file: tensors in data order, and the `__metadata__` pairs.
  public typealias Contents = (
    tensors: [(name: String, tensor: Tensor)], metadata: [String: String]
  )

  /// The header size above which a file is rejected, as in the reference implementation.
  public static let maximumHeaderLength = 100_000_000

  /// Writes tensors and metadata to a file, atomically (see ``AtomicFile``).
  /// - Parameters:
  ///   - tensors: the tensors in storage order, with unique names other than `__metadata__`.
  ///   - metadata: free-form string pairs stored under `__metadata__`; default none.
  ///   - url: the file to create or replace.
  /// - Throws: ``TrainingError/io(path:operation:reason:)`` if the file cannot be written.
  public static func write(
    _ tensors: [(name: String, tensor: Tensor)], metadata: [String: String] = [:], to url: URL
  ) throws(TrainingError) {
    let bytes = encode(tensors, metadata: metadata)
    do {
      try AtomicFile.write(bytes, to: url)
    } catch {
      throw TrainingError(error)
    }
  }

  /// Returns the bytes of a safetensors file holding `tensors` and `metadata`.
  /// - Parameters:
  ///   - tensors: the tensors in storage order.
  ///   - metadata: pairs stored under `__metadata__`, with keys sorted; omitted when empty.
  /// - Returns: the complete file contents.
  /// - Precondition: names are unique and none is `__metadata__`.
  public static func encode(
    _ tensors: [(name: String, tensor: Tensor)], metadata: [String: String] = [:]
  ) -> [UInt8] {
    var entries: [String] = []
    if !metadata.isEmpty {
      let pairs = metadata.sorted { $0.key < $1.key }.map {
        JSONText.quoted($0.key) + ":" + JSONText.quoted($0.value)
      }
      entries.append("\"__metadata__\":{" + pairs.joined(separator: ",") + "}")
    }
    var names = Set<String>()
    var offset = 0
    for (name, tensor) in tensors {
      precondition(name != "__metadata__", "Safetensors: '__metadata__' is not a tensor name")
      precondition(names.insert(name).inserted, "Safetensors: duplicate tensor name '\(name)'")
      let end = offset + tensor.count * 4
      let shape = tensor.shape.map(String.init).joined(separator: ",")
      entries.append(
        JSONText.quoted(name) + ":{\"dtype\":\"F32\",\"shape\":[\(shape)],"
          + "\"data_offsets\":[\(offset),\(end)]}")
      offset = end
    }

    var header = Array(("{" + entries.joined(separator: ",") + "}").utf8)
    header += [UInt8](repeating: 0x20, count: (8 - header.count % 8) % 8)
    var bytes: [UInt8] = []
    bytes.reserveCapacity(8 + header.count + offset)
    withUnsafeBytes(of: UInt64(header.count).littleEndian) { bytes += $0 }
    bytes += header
    for (_, tensor) in tensors {
      // The format stores little-endian floats, which is memory order on a little-endian host.
      #if _endian(little)
        tensor.scalars.withUnsafeBytes { bytes += $0 }
      #else
        for scalar in tensor.scalars {
          withUnsafeBytes(of: scalar.bitPattern.littleEndian) { bytes += $0 }
        }
      #endif
    }
    return bytes
  }

  /// Reads a safetensors file, checking it fully.
  /// - Parameter url: the file.
  /// - Returns: the tensors in data order, and the metadata (empty if absent).
  /// - Throws: ``TrainingError/io(path:operation:reason:)`` if the file cannot be read,
  ///   ``TrainingError/unsupportedDType(path:tensor:dtype:)`` for a tensor other than `F32`, and
  ///   ``TrainingError/malformedSafetensors(path:problem:)`` for anything else that is wrong.
  public static func read(
    from url: URL
  ) throws(TrainingError) -> Contents {
    try decode(PosixFile.readAll(url.path), path: url.path)
  }

  /// Decodes the bytes of a safetensors file, checking them fully.
  /// - Parameters:
  ///   - bytes: the complete file contents.
  ///   - path: the name used in error messages.
  /// - Returns: the tensors in data order, and the metadata (empty if absent).
  /// - Throws: as ``read(from:)``.
  public static func decode(
    _ bytes: [UInt8], path: String
  ) throws(TrainingError) -> Contents {
    func fail(_ problem: String) -> TrainingError {
      .malformedSafetensors(path: path, problem: problem)
    }

    guard bytes.count >= 8 else {
      throw fail("file has \(bytes.count) bytes, expected at least 8 for the header length")
    }
    var headerLength: UInt64 = 0
    for index in 0..<8 { headerLength |= UInt64(bytes[index]) << (8 * index) }
    guard headerLength <= UInt64(maximumHeaderLength) else {
      throw fail("header length \(headerLength) exceeds the limit of \(maximumHeaderLength) bytes")
    }
    guard headerLength <= UInt64(bytes.count - 8) else {
      throw fail(
        "header length \(headerLength) runs past the end of the file (\(bytes.count) bytes)")
    }
    let dataStart = 8 + Int(headerLength)
    let header = try parseHeader(bytes[8..<dataStart], fail: fail)
    let metadata = try parseMetadata(header["__metadata__"], fail: fail)
    let entries = try parseEntries(header, path: path, fail: fail)
    let dataLength = bytes.count - dataStart

    var tensors: [(name: String, tensor: Tensor)] = []
    var expectedBegin = 0
    for entry in entries {
      guard entry.begin == expectedBegin else {
        throw fail(
          "tensor '\(entry.name)': data starts at byte \(entry.begin), expected \(expectedBegin) "
            + "(tensors must be contiguous and must not overlap)")
      }
      guard entry.end <= dataLength else {
        throw fail(
          "tensor '\(entry.name)': data_offsets [\(entry.begin), \(entry.end)] run past "
            + "the data section of \(dataLength) bytes")
      }
      let byteCount = entry.end - entry.begin
      guard let count = elementCount(entry.shape), count <= Int.max / 4, count * 4 == byteCount
      else {
        throw fail(
          "tensor '\(entry.name)': shape \(entry.shape) does not match data_offsets "
            + "[\(entry.begin), \(entry.end)] (\(byteCount) bytes of F32)")
      }
      let scalars = floats(bytes, from: dataStart + entry.begin, count: count)
      tensors.append((entry.name, Tensor(shape: entry.shape, scalars: scalars)))
      expectedBegin = entry.end
    }
    guard expectedBegin == dataLength else {
      throw fail("data section has \(dataLength) bytes but the tensors cover \(expectedBegin)")
    }
    return (tensors, metadata)
  }

  // MARK: - Header parsing

  private struct Entry {
    var name: String
    var shape: [Int]
    var begin: Int
    var end: Int
  }

  private static func parseHeader(
    _ header: ArraySlice<UInt8>, fail: (String) -> TrainingError
  ) throws(TrainingError) -> [String: Any] {
    guard header.first == UInt8(ascii: "{") else {
      throw fail("header does not start with '{'")
    }
    guard String(validating: header, as: UTF8.self) != nil else {
      throw fail("header is not valid UTF-8")
    }
    // Note: JSONSerialization keeps one value of a duplicated key instead of rejecting the
    // header. A dropped duplicate tensor leaves a gap in the data, which the contiguity check
    // then reports, so only exact duplicates (same offsets) pass; a hand-written parser would
    // close that gap.
    let object: Any
    do {
      object = try JSONSerialization.jsonObject(with: Data(header))
    } catch {
      throw fail("header is not valid JSON")
    }
    guard let dictionary = object as? [String: Any] else {
      throw fail("header is not a JSON object")
    }
    return dictionary
  }

  private static func parseMetadata(
    _ value: Any?, fail: (String) -> TrainingError
  ) throws(TrainingError) -> [String: String] {
    guard let value else { return [:] }
    guard let metadata = value as? [String: Any] else {
      throw fail("__metadata__ is not a JSON object")
    }
    var result: [String: String] = [:]
    for (key, item) in metadata {
      guard let text = item as? String else {
        throw fail("__metadata__ value for '\(key)' is not a string")
      }
      result[key] = text
    }
    return result
  }

  /// Returns the tensor entries sorted by their data offsets (then by name).
  private static func parseEntries(
    _ header: [String: Any], path: String, fail: (String) -> TrainingError
  ) throws(TrainingError) -> [Entry] {
    var entries: [Entry] = []
    for (name, value) in header where name != "__metadata__" {
      guard let fields = value as? [String: Any] else {
        throw fail("tensor '\(name)': entry is not a JSON object")
      }
      guard let dtype = fields["dtype"] as? String else {
        throw fail("tensor '\(name)': dtype is missing or not a string")
      }
      guard dtype == "F32" else {
        throw TrainingError.unsupportedDType(path: path, tensor: name, dtype: dtype)
      }
      guard let shape = integers(fields["shape"]) else {
        throw fail("tensor '\(name)': shape is missing or not an array of non-negative integers")
      }
      guard let offsets = integers(fields["data_offsets"]), offsets.count == 2,
        offsets[0] <= offsets[1]
      else {
        throw fail("tensor '\(name)': data_offsets is not a pair [begin, end] with begin <= end")
      }
      entries.append(Entry(name: name, shape: shape, begin: offsets[0], end: offsets[1]))
    }
    return entries.sorted { ($0.begin, $0.end, $0.name) < ($1.begin, $1.end, $1.name) }
  }

  /// Returns a JSON array of non-negative integers, or `nil` if `value` is anything else.
  private static func integers(_ value: Any?) -> [Int]? {
    guard let items = value as? [Any] else { return nil }
    var result: [Int] = []
    for item in items {
      // JSON booleans also bridge to `Int`; their NSNumber type code is `c`.
      guard let boxed = item as? NSNumber, String(cString: boxed.objCType) != "c",
        let number = item as? Int, number >= 0
      else { return nil }
      result.append(number)
    }
    return result
  }

  /// Returns the product of `shape`, or `nil` if it overflows.
  private static func elementCount(_ shape: [Int]) -> Int? {
    var count = 1
    for extent in shape {
      let (product, overflow) = count.multipliedReportingOverflow(by: extent)
      if overflow { return nil }
      count = product
    }
    return count
  }

  private static func floats(_ bytes: [UInt8], from start: Int, count: Int) -> [Float] {
    var scalars = [Float](repeating: 0, count: count)
    scalars.withUnsafeMutableBytes { destination in
      bytes.withUnsafeBytes { source in
        destination.copyMemory(
          from: UnsafeRawBufferPointer(rebasing: source[start..<start + 4 * count]))
      }
    }
    #if _endian(big)
      scalars = scalars.map { Float(bitPattern: UInt32(littleEndian: $0.bitPattern)) }
    #endif
    return scalars
  }

}
