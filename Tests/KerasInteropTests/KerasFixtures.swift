import Foundation
import TestSupport

@testable import KerasInterop

/// Paths to the committed fixtures and helpers that edit `.keras` archives.
enum KerasFixtures {
  /// `Tests/KerasInteropTests/Fixtures`, from this file's path.
  static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("Fixtures")

  /// The Keras-saved tiny model.
  static let tinyModel = directory.appendingPathComponent("tiny.keras")

  /// The expected results of inference and one training step from the tiny model.
  struct Step: Decodable {
    struct Images: Decodable {
      var shape: [Int]
      var values: [Float]
    }
    var images: Images
    var labels: [Int32]
    var inferenceProbabilities: [Float]
    var trainingLoss: Float
    var updatedWeights: [String: [Float]]

    enum CodingKeys: String, CodingKey {
      case images, labels
      case inferenceProbabilities = "inference_probabilities"
      case trainingLoss = "training_loss"
      case updatedWeights = "updated_weights"
    }
  }

  static func step() throws -> Step {
    let data = try Data(contentsOf: directory.appendingPathComponent("tiny_step.json"))
    return try JSONDecoder().decode(Step.self, from: data)
  }

  /// A copy of the tiny model whose `config.json` went through `edit`.
  static func editedTinyModel(
    in directory: TemporaryDirectory, _ edit: (inout [String: Any]) -> Void
  ) throws -> URL {
    var entries = try ZipArchive.entries(ofFileAt: tinyModel.path)
    let object = try JSONSerialization.jsonObject(with: Data(entries["config.json"] ?? []))
    var config = object as? [String: Any] ?? [:]
    edit(&config)
    entries["config.json"] = Array(try JSONSerialization.data(withJSONObject: config))
    let url = directory.file("edited.keras")
    let bytes = try ZipArchive.archive(
      entries.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }, path: url.path)
    FixtureBuilders.write(bytes, to: url.path)
    return url
  }

  /// Changes one argument of the named layer in a Keras model configuration.
  static func setArgument(
    _ key: String, to value: Any, layer: String, in config: inout [String: Any]
  ) {
    guard var model = config["config"] as? [String: Any],
      var layers = model["layers"] as? [[String: Any]],
      let index = layers.firstIndex(where: { $0["name"] as? String == layer }),
      var arguments = layers[index]["config"] as? [String: Any]
    else { return }
    arguments[key] = value
    layers[index]["config"] = arguments
    model["layers"] = layers
    config["config"] = model
  }

  /// Renames the Keras class of the named layer.
  static func setClass(_ className: String, layer: String, in config: inout [String: Any]) {
    guard var model = config["config"] as? [String: Any],
      var layers = model["layers"] as? [[String: Any]],
      let index = layers.firstIndex(where: { $0["name"] as? String == layer })
    else { return }
    layers[index]["class_name"] = className
    model["layers"] = layers
    config["config"] = model
  }
}
