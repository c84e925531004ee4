import Foundation
import NeuralNet
import TensorCore

/// A trained model stored as one `.safetensors` file.
///
/// Every parameter (weights and batch-norm moving statistics) is an `F32` tensor in Keras layout
/// under its Keras-like name (`conv2d/kernel` is `[kh, kw, in, out]`, `dense/kernel` is
/// `[in, out]`). The metadata holds `format` (``formatName``), `architecture` (the layers as
/// JSON, enough to rebuild the model), `classes` (`A,B,...,J`) and `normalization` (how pixel
/// bytes became inputs), plus whatever the writer adds. Python's `safetensors` opens it as is.
public enum ModelFile {
  /// The value of the `format` metadata key.
  public static let formatName = "swift-notmnist-model/1"

  /// The tensors and metadata that store a model.
  /// - Parameters:
  ///   - model: the model.
  ///   - metadata: extra string pairs (such as training settings); the standard keys win.
  /// - Returns: tensors in parameter order, and the metadata.
  public static func contents(of model: Model, metadata: [String: String] = [:]) -> (
    tensors: [(name: String, tensor: Tensor)], metadata: [String: String]
  ) {
    var merged = metadata
    merged["format"] = formatName
    merged["architecture"] = architectureJSON(model.architecture)
    merged["classes"] = "A,B,C,D,E,F,G,H,I,J"
    merged["normalization"] = "(x - 127.5) / 255"
    let tensors = model.parameters.map { (name: $0.name, tensor: $0.kerasValue) }
    return (tensors, merged)
  }

  /// Writes a model atomically (temporary file, fsync, rename).
  /// - Parameters:
  ///   - model: the model.
  ///   - url: the file to create or replace.
  ///   - metadata: extra string pairs stored with it.
  /// - Throws: ``TrainingError/io(path:operation:reason:)`` if the file cannot be written.
  public static func write(_ model: Model, to url: URL, metadata: [String: String] = [:])
    throws(TrainingError)
  {
    let (tensors, merged) = contents(of: model, metadata: metadata)
    try Safetensors.write(tensors, metadata: merged, to: url)
  }

  /// Reads a model file and rebuilds the model with its weights.
  ///
  /// The weights are stored in fp32 whatever precision the model was trained in; `precision`
  /// chooses how the rebuilt model computes.
  /// - Parameters:
  ///   - url: a file written by ``write(_:to:metadata:)``.
  ///   - precision: the number format of the rebuilt model; default fp32.
  /// - Returns: the model and the file's metadata.
  /// - Throws: the errors of ``Safetensors/read(from:)``, and
  ///   ``TrainingError/incompatibleFile(path:problem:)`` when the file is not a model of this
  ///   format, its architecture fails ``Architecture/validate()``, or a tensor is missing, has
  ///   the wrong shape or holds non-finite values.
  public static func read(from url: URL, precision: Precision = .fp32) throws(TrainingError) -> (
    model: Model, metadata: [String: String]
  ) {
    let contents = try Safetensors.read(from: url)
    let model = try model(
      from: contents.tensors, metadata: contents.metadata, path: url.path, precision: precision)
    return (model, contents.metadata)
  }

  /// Rebuilds a model from tensors and metadata read from a file.
  /// - Parameters:
  ///   - tensors: at least one tensor per model parameter, by name; others are ignored.
  ///   - metadata: must hold `format` and `architecture`.
  ///   - path: the file's name, for messages.
  ///   - precision: the number format of the model; default fp32.
  /// - Returns: the model with the stored weights.
  /// - Throws: ``TrainingError/incompatibleFile(path:problem:)``.
  static func model(
    from tensors: [(name: String, tensor: Tensor)], metadata: [String: String], path: String,
    precision: Precision = .fp32
  ) throws(TrainingError) -> Model {
    guard let format = metadata["format"] else {
      throw .incompatibleFile(
        path: path, problem: "no 'format' metadata: not a swift-notmnist model file")
    }
    guard format == formatName || format == Checkpoint.formatName else {
      throw .incompatibleFile(
        path: path, problem: "format '\(format)', expected '\(formatName)'")
    }
    guard let text = metadata["architecture"], let data = text.data(using: .utf8),
      let architecture = try? JSONDecoder().decode(Architecture.self, from: data)
    else {
      throw .incompatibleFile(
        path: path, problem: "the 'architecture' metadata is missing or invalid")
    }

    do {
      try architecture.validate()
    } catch {
      throw .incompatibleFile(path: path, problem: "invalid architecture: \(error)")
    }
    var generator = SeededGenerator(seed: 0)
    let model: Model
    do {
      model = try Model(architecture: architecture, generator: &generator, precision: precision)
    } catch {
      throw .incompatibleFile(path: path, problem: "cannot build the architecture: \(error)")
    }
    let byName = Dictionary(tensors.map { ($0.name, $0.tensor) }, uniquingKeysWith: { a, _ in a })
    for parameter in model.parameters {
      guard let tensor = byName[parameter.name] else {
        throw .incompatibleFile(path: path, problem: "tensor '\(parameter.name)' is missing")
      }
      guard tensor.shape == parameter.shape else {
        throw .incompatibleFile(
          path: path,
          problem:
            "tensor '\(parameter.name)' has shape \(tensor.shape), expected \(parameter.shape)")
      }
      guard tensor.scalars.allSatisfy({ $0.isFinite }) else {
        throw .incompatibleFile(
          path: path, problem: "tensor '\(parameter.name)' holds non-finite values")
      }
      parameter.setKerasValue(tensor)
    }
    return model
  }

  /// The architecture as compact JSON with sorted keys.
  static func architectureJSON(_ architecture: Architecture) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    guard let data = try? encoder.encode(architecture),
      let text = String(data: data, encoding: .utf8)
    else {
      fatalError("an Architecture always encodes as JSON")
    }
    return text
  }
}
