import Foundation
import NeuralNet
import Optimizers
import TensorCore

/// A consistent snapshot of a training run in one `.safetensors` file: the model's parameters,
/// the optimizer's slots (under `optimizer/<parameter>/<slot>`), and as metadata the
/// architecture, the optimizer's configuration and iteration count, the run's settings and its
/// ``TrainingProgress`` (epoch, step, generator states, history).
///
/// Written atomically, so an interrupted write leaves the previous checkpoint intact.
public struct Checkpoint {
  /// The value of the `format` metadata key.
  public static let formatName = "swift-notmnist-checkpoint/1"
  /// The file name of a run's checkpoint inside its directory.
  public static let fileName = "checkpoint.safetensors"

  /// The model with the checkpoint's weights.
  public var model: Model
  /// The optimizer with the checkpoint's slots and iteration count.
  public var optimizer: any Optimizer
  /// The run's settings.
  public var configuration: TrainingConfiguration
  /// Where the run stands.
  public var progress: TrainingProgress
  /// Every metadata entry of the file, including those the writer added.
  public var metadata: [String: String]

  /// Writes a checkpoint atomically.
  /// - Parameters:
  ///   - model: the model.
  ///   - optimizer: the optimizer.
  ///   - configuration: the run's settings.
  ///   - progress: where the run stands.
  ///   - metadata: extra string pairs stored with it (the standard keys win); default none.
  ///   - url: the file to create or replace.
  /// - Throws: ``TrainingError/io(path:operation:reason:)``.
  public static func write(
    model: Model, optimizer: any Optimizer, configuration: TrainingConfiguration,
    progress: TrainingProgress, metadata: [String: String] = [:], to url: URL
  ) throws(TrainingError) {
    let state = optimizer.state()
    var (tensors, stored) = ModelFile.contents(of: model, metadata: metadata)
    stored["format"] = formatName
    stored["optimizer"] = jsonText(state.configuration)
    stored["optimizerIterations"] = String(state.iterations)
    stored["configuration"] = jsonText(configuration)
    stored["progress"] = jsonText(progress)
    tensors += state.namedTensors.map { (name: "optimizer/" + $0.name, tensor: $0.tensor) }
    try Safetensors.write(tensors, metadata: stored, to: url)
  }

  /// Reads a checkpoint and rebuilds the model (in the run's ``TrainingConfiguration/precision``)
  /// and the optimizer from it.
  /// - Parameter url: a file written by
  ///   ``write(model:optimizer:configuration:progress:metadata:to:)``.
  /// - Returns: the checkpoint.
  /// - Throws: the errors of ``Safetensors/read(from:)``, and
  ///   ``TrainingError/incompatibleFile(path:problem:)`` when it is not a checkpoint or a part
  ///   is missing or does not fit.
  public static func read(from url: URL) throws(TrainingError) -> Checkpoint {
    let path = url.path
    let contents = try Safetensors.read(from: url)
    let metadata = contents.metadata
    guard metadata["format"] == formatName else {
      throw .incompatibleFile(
        path: path,
        problem: "format '\(metadata["format"] ?? "none")', expected '\(formatName)'")
    }
    let configuration: OptimizerConfiguration = try decode("optimizer", metadata, path)
    let progress: TrainingProgress = try decode("progress", metadata, path)
    let settings: TrainingConfiguration = try decode("configuration", metadata, path)
    if let problem = settings.problem ?? progress.problem(epochCount: settings.epochCount) {
      throw .incompatibleFile(path: path, problem: problem)
    }
    // The model computes in the run's precision, so a resumed run keeps it.
    let model = try ModelFile.model(
      from: contents.tensors, metadata: metadata, path: path, precision: settings.precision)
    guard let iterations = metadata["optimizerIterations"].flatMap({ Int($0) }) else {
      throw .incompatibleFile(path: path, problem: "'optimizerIterations' is missing or invalid")
    }

    let prefix = "optimizer/"
    let slots = contents.tensors.filter { $0.name.hasPrefix(prefix) }.map {
      (name: String($0.name.dropFirst(prefix.count)), tensor: $0.tensor)
    }
    let optimizer = configuration.makeOptimizer()
    do {
      let state = try OptimizerState(
        configuration: configuration, iterations: iterations, namedTensors: slots)
      try optimizer.restore(state, parameters: model.parameters)
    } catch {
      throw .incompatibleFile(path: path, problem: "optimizer state: \(error)")
    }
    return Checkpoint(
      model: model, optimizer: optimizer, configuration: settings, progress: progress,
      metadata: metadata)
  }

  private static func decode<T: Decodable>(
    _ key: String, _ metadata: [String: String], _ path: String
  ) throws(TrainingError) -> T {
    guard let text = metadata[key], let data = text.data(using: .utf8),
      let value = try? decoder.decode(T.self, from: data)
    else {
      throw .incompatibleFile(path: path, problem: "the '\(key)' metadata is missing or invalid")
    }
    return value
  }

  // Note: a diverging run can hold infinite or NaN losses in its history, which plain JSON
  // cannot express; `StoredJSON` stores them as the strings "inf", "-inf" and "nan".
  private static var decoder: JSONDecoder { StoredJSON.decoder }

  private static func jsonText<T: Encodable>(_ value: T) -> String { StoredJSON.text(value) }
}
