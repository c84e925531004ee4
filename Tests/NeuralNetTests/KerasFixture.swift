import Foundation
import TensorCore

/// Reads the Keras 3 parity fixtures in `Fixtures/keras/` (format in the README there).
enum KerasFixture {
  static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("Fixtures/keras")

  static func load<T: Decodable>(_ name: String, as type: T.Type = T.self) throws -> T {
    let data = try Data(contentsOf: directory.appendingPathComponent(name))
    return try JSONDecoder().decode(T.self, from: data)
  }

  static var isPresent: Bool {
    FileManager.default.fileExists(atPath: directory.appendingPathComponent("model.json").path)
  }
}

/// `{"shape": [...], "values": [...]}`.
struct FixtureTensor: Decodable {
  var shape: [Int]
  var values: [Float]
  var tensor: Tensor { Tensor(shape: shape, scalars: values) }
}

/// A JSON configuration value.
enum ConfigValue: Decodable {
  case number(Double)
  case string(String)
  case bool(Bool)
  case list([ConfigValue])
  case object([String: ConfigValue])

  init(from decoder: any Decoder) throws {
    let container = try decoder.singleValueContainer()
    if let value = try? container.decode(Bool.self) {
      self = .bool(value)
    } else if let value = try? container.decode(Double.self) {
      self = .number(value)
    } else if let value = try? container.decode(String.self) {
      self = .string(value)
    } else if let value = try? container.decode([ConfigValue].self) {
      self = .list(value)
    } else {
      self = .object(try container.decode([String: ConfigValue].self))
    }
  }

  var int: Int? { if case .number(let v) = self { Int(v) } else { nil } }
  var float: Float? { if case .number(let v) = self { Float(v) } else { nil } }
  var string: String? { if case .string(let v) = self { v } else { nil } }
  var bool: Bool? { if case .bool(let v) = self { v } else { nil } }
  var ints: [Int]? { if case .list(let v) = self { v.compactMap(\.int) } else { nil } }
}

struct FixtureTolerance: Decodable {
  var forward_abs: Float
  var gradient_rel: Float
  var gradient_abs: Float
  var loss_abs: Float?
  var updated_weight_abs: Float?
}

struct LayerFixture: Decodable {
  struct Case: Decodable {
    var name: String
    var config: [String: ConfigValue]
    var inputs: [String: FixtureTensor]
    var weights: [String: FixtureTensor]
    var output: FixtureTensor
    var upstream: FixtureTensor
    var gradients: [String: FixtureTensor]
    var updated: [String: FixtureTensor]?
  }

  var tolerance: FixtureTolerance
  var cases: [Case]
}

struct SoftmaxFixture: Decodable {
  struct CrossEntropy: Decodable {
    var labels: [Int32]
    var loss: Float
    var gradient_logits: FixtureTensor
  }

  struct Case: Decodable {
    var inputs: [String: FixtureTensor]
    var output: FixtureTensor
    var cross_entropy: CrossEntropy
  }

  var tolerance: FixtureTolerance
  var cases: [Case]
}

struct ModelFixture: Decodable {
  struct Layer: Decodable {
    var name: String
    var type: String
    var config: [String: ConfigValue]
    var inputs: [String]
  }

  struct Inputs: Decodable {
    var images: FixtureTensor
    var labels: [Int32]
  }

  struct Pass: Decodable {
    var probabilities: FixtureTensor
    var cross_entropy: Float
    var l2_penalty: Float
    var loss: Float
    var gradients: [String: FixtureTensor]?
    var updated_moving_statistics: [String: FixtureTensor]?
  }

  var tolerance: FixtureTolerance
  var architecture: [Layer]
  var inputs: Inputs
  var weights: [String: FixtureTensor]
  var inference: Pass
  var training: Pass
}
