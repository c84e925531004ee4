import Foundation
import KerasInterop
import NeuralNet
import TensorCore
import Training

/// Turns a `--model` value into a model: a built-in architecture name or a saved model file.
enum ModelLoading {
  /// The `--precision` flag of the commands that run a model.
  static let precisionOption = OptionSpec.value(
    "--precision", "P", "number format to compute in: fp32 (default) or bf16")

  /// The value of `--precision`, fp32 when it is not given.
  /// - Throws: `CommandLineError.usage` for a value other than fp32 or bf16.
  static func precision(_ arguments: ParsedArguments) throws(CommandLineError) -> Precision {
    let text = try arguments.choice(
      "--precision", default: Precision.fp32.rawValue, from: Precision.allCases.map(\.rawValue))
    return Precision(rawValue: text) ?? .fp32
  }

  /// The `--convolution` flag of the commands that train.
  static let convolutionOption = OptionSpec.value(
    "--convolution", "ALGO",
    "how training computes 3x3 stride-1 convolutions in fp32: winograd (default, faster) or"
      + " direct (as Keras)")

  /// The value of `--convolution`, Winograd when it is not given.
  /// - Throws: `CommandLineError.usage` for a value other than winograd or direct.
  static func convolutionAlgorithm(_ arguments: ParsedArguments) throws(CommandLineError)
    -> ConvolutionAlgorithm
  {
    let text = try arguments.choice(
      "--convolution", default: ConvolutionAlgorithm.winograd.rawValue,
      from: ConvolutionAlgorithm.allCases.map(\.rawValue))
    return ConvolutionAlgorithm(rawValue: text) ?? .winograd
  }

  /// Builds the named architecture with fresh weights (seed 0), or loads a saved model file.
  /// - Parameters:
  ///   - name: a built-in model name or a model file.
  ///   - precision: the number format of the model; default fp32.
  /// - Returns: the model.
  /// - Throws: `CommandLineError.usage` for a name that is neither a built-in model nor a file.
  static func model(named name: String, precision: Precision = .fp32) throws(CommandLineError)
    -> Model
  {
    var generator = SeededGenerator(seed: 0)
    if ModelBuilder.names.contains(name) {
      do {
        return try Model(named: name, generator: &generator, precision: precision)
      } catch {
        throw .failure(error.description)
      }
    }
    if name.hasSuffix(".safetensors") || name.hasSuffix(".keras")
      || FileManager.default.fileExists(atPath: name)
    {
      return try model(file: name, precision: precision)
    }
    throw .usage(
      "--model must be one of \(ModelBuilder.names.joined(separator: ", ")) or a model file,"
        + " got '\(name)'")
  }

  /// Loads a model file: a Keras 3 `.keras` file, or a `.safetensors` file written by
  /// `notmnist train`.
  /// - Parameters:
  ///   - path: the file.
  ///   - precision: the number format of the model; default fp32.
  /// - Returns: the model with the file's weights.
  /// - Throws: `CommandLineError.failure` naming the file and what is wrong with it.
  static func model(file path: String, precision: Precision = .fp32) throws(CommandLineError)
    -> Model
  {
    guard FileManager.default.fileExists(atPath: path) else {
      throw .failure("\(path): no such file")
    }
    if path.hasSuffix(".keras") {
      do {
        let model = try KerasModelFile.read(from: URL(fileURLWithPath: path))
        return try converted(model, to: precision)
      } catch let error as KerasError {
        throw .failure(error.description)
      } catch let error as NeuralNetError {
        throw .failure("\(path): \(error.description)")
      } catch {
        throw .failure("\(path): \(error)")
      }
    }
    do {
      return try ModelFile.read(from: URL(fileURLWithPath: path), precision: precision).model
    } catch {
      throw .failure(error.description)
    }
  }

  /// The same model computing in another precision: the architecture rebuilt, the parameters
  /// (fp32 in both) copied over; the model itself when the precision already matches.
  /// - Throws: `NeuralNetError` when the architecture cannot be rebuilt.
  static func converted(_ model: Model, to precision: Precision) throws(NeuralNetError) -> Model {
    guard model.precision != precision else { return model }
    let copy = try Model(architecture: model.architecture, precision: precision)
    for (target, source) in zip(copy.parameters, model.parameters) {
      target.setKerasValue(source.kerasValue)
    }
    return copy
  }

  /// Loads a model file and checks that it reads notMNIST images: `[28, 28, 1]` in, 10 classes
  /// out.
  /// - Parameters:
  ///   - path: the file.
  ///   - precision: the number format of the model; default fp32.
  /// - Returns: the model with the file's weights.
  /// - Throws: `CommandLineError.failure` naming the file and the mismatch.
  static func notMNISTModel(file path: String, precision: Precision = .fp32)
    throws(CommandLineError) -> Model
  {
    let model = try model(file: path, precision: precision)
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
