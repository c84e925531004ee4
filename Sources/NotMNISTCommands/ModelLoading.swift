import Foundation
import KerasInterop
import NeuralNet
import TensorCore
import Training

/// Turns a `--model` value into a model: a built-in architecture name or a saved model file.
enum ModelLoading {
  /// Builds the named architecture with fresh weights (seed 0), or loads a saved model file.
  /// - Throws: `CommandLineError.usage` for a name that is neither a built-in model nor a file.
  static func model(named name: String) throws(CommandLineError) -> Model {
    var generator = SeededGenerator(seed: 0)
    if ModelBuilder.names.contains(name) {
      do {
        return try Model(named: name, generator: &generator)
      } catch {
        throw .failure(error.description)
      }
    }
    if name.hasSuffix(".safetensors") || name.hasSuffix(".keras")
      || FileManager.default.fileExists(atPath: name)
    {
      return try model(file: name)
    }
    throw .usage(
      "--model must be one of \(ModelBuilder.names.joined(separator: ", ")) or a model file,"
        + " got '\(name)'")
  }

  /// Loads a model file: a Keras 3 `.keras` file, or a `.safetensors` file written by
  /// `notmnist train`.
  /// - Throws: `CommandLineError.failure` naming the file and what is wrong with it.
  static func model(file path: String) throws(CommandLineError) -> Model {
    guard FileManager.default.fileExists(atPath: path) else {
      throw .failure("\(path): no such file")
    }
    if path.hasSuffix(".keras") {
      do {
        return try KerasModelFile.read(from: URL(fileURLWithPath: path))
      } catch {
        throw .failure(error.description)
      }
    }
    do {
      return try ModelFile.read(from: URL(fileURLWithPath: path)).model
    } catch {
      throw .failure(error.description)
    }
  }

  /// Loads a model file and checks that it reads notMNIST images: `[28, 28, 1]` in, 10 classes
  /// out.
  /// - Throws: `CommandLineError.failure` naming the file and the mismatch.
  static func notMNISTModel(file path: String) throws(CommandLineError) -> Model {
    let model = try model(file: path)
    try checkFitsNotMNIST(model, path: path)
    return model
  }

  /// Checks that a model takes `[28, 28, 1]` images and gives 10 class probabilities.
  /// - Throws: `CommandLineError.failure` naming the file and the mismatch.
  static func checkFitsNotMNIST(_ model: Model, path: String) throws(CommandLineError) {
    guard model.inputShape == [28, 28, 1], model.classCount == 10 else {
      throw .failure(
        "\(path): the model takes \(model.inputShape) input with \(model.classCount) classes;"
          + " notMNIST needs [28, 28, 1] and 10")
    }
  }
}
