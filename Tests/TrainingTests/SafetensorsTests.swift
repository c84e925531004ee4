import Foundation
import TensorCore
import Testing
import TestSupport

@testable import Training

@Suite struct SafetensorsTests {
  static let tensors: [(name: String, tensor: Tensor)] = [
    ("conv2d/kernel", Tensor(shape: [2, 3], scalars: [1.5, -2.25, 0, 1e-30, 3.4e38, -0.0])),
    ("dense/bias", Tensor(shape: [4], scalars: [0.1, 0.2, 0.3, 0.4])),
    ("step", Tensor(shape: [], scalars: [42])),
    ("empty", Tensor(shape: [0, 3], scalars: [])),
  ]
  static let metadata = ["format": "pt", "epoch": "3", "note": "quote \" and \\ and\nnewline"]

  @Test func roundTripKeepsOrderShapesValuesAndMetadata() throws {
    let directory = try TemporaryDirectory()
    let url = directory.file("model.safetensors")
    try Safetensors.write(Self.tensors, metadata: Self.metadata, to: url)
    let (tensors, metadata) = try Safetensors.read(from: url)

    #expect(tensors.map(\.name) == Self.tensors.map(\.name))
    #expect(tensors.map(\.tensor) == Self.tensors.map(\.tensor))
    #expect(metadata == Self.metadata)
  }

  @Test func headerIsJSONPaddedWithSpacesToEightBytes() {
    let bytes = Safetensors.encode(
      [("w", Tensor(shape: [2], scalars: [1, -2]))], metadata: ["format": "pt"])
    let header =
      #"{"__metadata__":{"format":"pt"},"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#

    #expect(header.utf8.count == 85)
    #expect(Array(bytes[0..<8]) == [88, 0, 0, 0, 0, 0, 0, 0])
    #expect(Array(bytes[8..<96]) == Array(header.utf8) + [0x20, 0x20, 0x20])
    #expect(Array(bytes[96...]) == [0, 0, 0x80, 0x3F, 0, 0, 0, 0xC0])
  }

  @Test func pythonSafetensorsOpensOurFile() throws {
    let directory = try TemporaryDirectory()
    let url = directory.file("ours.safetensors")
    try Safetensors.write(Self.tensors, metadata: Self.metadata, to: url)
    let script = """
      import json, sys
      from safetensors import safe_open
      from safetensors.numpy import load_file
      tensors = load_file(sys.argv[1])
      with safe_open(sys.argv[1], framework="np") as f:
          metadata = f.metadata()
      out = {name: {"dtype": str(a.dtype), "shape": list(a.shape),
                    "bits": a.reshape(-1).view("<u4").tolist()} for name, a in tensors.items()}
      print(json.dumps({"tensors": out, "metadata": metadata}))
      """
    let output = try #require(Python.json(script, arguments: [url.path]) as? [String: Any])
    let tensors = try #require(output["tensors"] as? [String: [String: Any]])

    #expect(output["metadata"] as? [String: String] == Self.metadata)
    #expect(tensors.keys.sorted() == Self.tensors.map(\.name).sorted())
    for (name, tensor) in Self.tensors {
      #expect(tensors[name]?["dtype"] as? String == "float32", "\(name)")
      #expect(tensors[name]?["shape"] as? [Int] == tensor.shape, "\(name)")
      #expect(tensors[name]?["bits"] as? [Int] == tensor.scalars.map { Int($0.bitPattern) })
    }
  }

  @Test func readsAFileWrittenByPythonSafetensors() throws {
    let directory = try TemporaryDirectory()
    let url = directory.file("theirs.safetensors")
    let script = """
      import sys
      import numpy as np
      from safetensors.numpy import save_file
      save_file({"b/kernel": np.arange(6, dtype=np.float32).reshape(2, 3) / 7,
                 "a/bias": np.array([-1.5, 2.5], dtype=np.float32),
                 "scalar": np.array(3.25, dtype=np.float32)},
                sys.argv[1], metadata={"source": "numpy"})
      """
    _ = try #require(Python.run(script, arguments: [url.path]))
    let (tensors, metadata) = try Safetensors.read(from: url)
    let byName = Dictionary(uniqueKeysWithValues: tensors.map { ($0.name, $0.tensor) })

    #expect(metadata == ["source": "numpy"])
    #expect(byName.keys.sorted() == ["a/bias", "b/kernel", "scalar"])
    #expect(byName["b/kernel"] == Tensor(shape: [2, 3], scalars: (0..<6).map { Float($0) / 7 }))
    #expect(byName["a/bias"] == Tensor(shape: [2], scalars: [-1.5, 2.5]))
    #expect(byName["scalar"] == Tensor(shape: [], scalars: [3.25]))
  }

  @Test func readingAMissingFileNamesIt() {
    #expect(
      throws: TrainingError.io(
        path: "/nonexistent/m.safetensors", operation: "open",
        reason: "No such file or directory")
    ) {
      try Safetensors.read(from: URL(fileURLWithPath: "/nonexistent/m.safetensors"))
    }
  }
}

// MARK: - Malformed files

extension SafetensorsTests {
  struct Malformed: Sendable, CustomStringConvertible {
    let description: String
    let bytes: [UInt8]
    let message: String
  }

  /// A file whose header is `header` (length written correctly) followed by `dataCount` bytes.
  static func file(_ header: String, dataCount: Int = 0) -> [UInt8] {
    var bytes: [UInt8] = []
    withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { bytes += $0 }
    return bytes + Array(header.utf8) + [UInt8](repeating: 0, count: dataCount)
  }

  static func entry(_ name: String, _ shape: String, _ begin: Int, _ end: Int) -> String {
    "\"\(name)\":{\"dtype\":\"F32\",\"shape\":[\(shape)],\"data_offsets\":[\(begin),\(end)]}"
  }

  static let malformed: [Malformed] = [
    Malformed(
      description: "shorter than the length field", bytes: [1, 2, 3],
      message: "m: file has 3 bytes, expected at least 8 for the header length"),
    Malformed(
      description: "header length past the end",
      bytes: [100, 0, 0, 0, 0, 0, 0, 0] + Array("{}".utf8),
      message: "m: header length 100 runs past the end of the file (10 bytes)"),
    Malformed(
      description: "header length over the limit", bytes: [0, 0xC2, 0xEB, 0x0B, 0, 0, 0, 0],
      message: "m: header length 200000000 exceeds the limit of 100000000 bytes"),
    Malformed(
      description: "header not an object", bytes: file("[1, 2]"),
      message: "m: header does not start with '{'"),
    Malformed(
      description: "header not JSON", bytes: file("{\"w\": "),
      message: "m: header is not valid JSON"),
    Malformed(
      description: "metadata not strings", bytes: file("{\"__metadata__\":{\"k\":1}}"),
      message: "m: __metadata__ value for 'k' is not a string"),
    Malformed(
      description: "entry not an object", bytes: file("{\"w\":3}"),
      message: "m: tensor 'w': entry is not a JSON object"),
    Malformed(
      description: "dtype missing",
      bytes: file("{\"w\":{\"shape\":[1],\"data_offsets\":[0,4]}}", dataCount: 4),
      message: "m: tensor 'w': dtype is missing or not a string"),
    Malformed(
      description: "unsupported dtype",
      bytes: file("{\"w\":{\"dtype\":\"F16\",\"shape\":[1],\"data_offsets\":[0,2]}}", dataCount: 2),
      message: "m: tensor 'w' has dtype F16, expected F32"),
    Malformed(
      description: "negative extent", bytes: file("{" + entry("w", "-1", 0, 4) + "}", dataCount: 4),
      message: "m: tensor 'w': shape is missing or not an array of non-negative integers"),
    Malformed(
      description: "boolean extent",
      bytes: file("{" + entry("w", "true", 0, 4) + "}", dataCount: 4),
      message: "m: tensor 'w': shape is missing or not an array of non-negative integers"),
    Malformed(
      description: "offsets reversed", bytes: file("{" + entry("w", "1", 8, 4) + "}", dataCount: 8),
      message: "m: tensor 'w': data_offsets is not a pair [begin, end] with begin <= end"),
    Malformed(
      description: "gap between tensors",
      bytes: file("{" + entry("a", "1", 0, 4) + "," + entry("b", "1", 8, 12) + "}", dataCount: 12),
      message: "m: tensor 'b': data starts at byte 8, expected 4 "
        + "(tensors must be contiguous and must not overlap)"),
    Malformed(
      description: "overlapping tensors",
      bytes: file("{" + entry("a", "2", 0, 8) + "," + entry("b", "2", 4, 12) + "}", dataCount: 12),
      message: "m: tensor 'b': data starts at byte 4, expected 8 "
        + "(tensors must be contiguous and must not overlap)"),
    Malformed(
      description: "data past the end",
      bytes: file("{" + entry("a", "2", 0, 8) + "}", dataCount: 4),
      message: "m: tensor 'a': data_offsets [0, 8] run past the data section of 4 bytes"),
    Malformed(
      description: "shape disagrees with byte count",
      bytes: file("{" + entry("w", "3", 0, 8) + "}", dataCount: 8),
      message: "m: tensor 'w': shape [3] does not match data_offsets [0, 8] (8 bytes of F32)"),
    Malformed(
      description: "bytes after the last tensor",
      bytes: file("{" + entry("a", "1", 0, 4) + "}", dataCount: 8),
      message: "m: data section has 8 bytes but the tensors cover 4"),
  ]

  @Test(arguments: malformed)
  func rejectsMalformedFile(_ malformed: Malformed) {
    do {
      let result = try Safetensors.decode(malformed.bytes, path: "m")
      Issue.record("accepted, read \(result.tensors.count) tensors")
    } catch {
      #expect(error.description == malformed.message)
    }
  }

  @Test func unsupportedDTypeIsItsOwnError() {
    let bytes = Self.file(
      "{\"w\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[0,4]}}", dataCount: 4)
    #expect(throws: TrainingError.unsupportedDType(path: "m", tensor: "w", dtype: "BF16")) {
      try Safetensors.decode(bytes, path: "m")
    }
  }
}
