import Foundation
import KerasInterop
import NeuralNet
import Training

/// `notmnist convert IN OUT [--model NAME|FILE]`: converts between Keras 3 files and our
/// `.safetensors` model files.
///
/// The formats follow the file names: `.keras` (a Keras 3 model), `.weights.h5` (Keras 3
/// weights only; reading one needs `--model`, a built-in architecture or a model file whose
/// architecture it has) and `.safetensors` (a `notmnist` model file). Any direction works,
/// including `.keras` to `.keras`.
enum ConvertCommand: Command {
  static let name = "convert"
  static let abstract = "Convert a model between Keras 3 .keras/.weights.h5 and .safetensors."
  static let usage = "notmnist convert IN OUT [--model NAME|FILE]"
  static var options: [OptionSpec] {
    [
      .value(
        "--model", "NAME|FILE",
        "the architecture of an IN that is a bare .weights.h5 file: a built-in model"
          + " (\(ModelBuilder.names.joined(separator: ", "))) or a model file")
    ]
  }

  static func run(_ arguments: ParsedArguments, console: Console) throws(CommandLineError)
    -> Int32
  {
    guard arguments.positional.count == 2 else {
      throw .usage("give exactly two paths, IN and OUT, got \(arguments.positional.count)")
    }
    let (input, output) = (arguments.positional[0], arguments.positional[1])
    for path in [input, output] where format(of: path) == nil {
      throw .usage("'\(path)': expected a .keras, .weights.h5 or .safetensors file name")
    }
    let architecture = arguments.string("--model")
    if format(of: input) == .weights, architecture == nil {
      throw .usage("reading a bare .weights.h5 file needs its architecture: --model NAME|FILE")
    }
    if format(of: input) != .weights, architecture != nil {
      throw .usage("--model only applies when IN is a bare .weights.h5 file")
    }

    let model = try read(input, architecture: architecture)
    try write(model, to: output)
    console.note("wrote \(output) (\(model.parameters.reduce(0) { $0 + $1.count }) values)")
    return 0
  }

  private enum Format { case keras, weights, safetensors }

  private static func format(of path: String) -> Format? {
    if path.hasSuffix(".keras") { return .keras }
    if path.hasSuffix(".weights.h5") { return .weights }
    if path.hasSuffix(".safetensors") { return .safetensors }
    return nil
  }

  private static func read(_ path: String, architecture: String?) throws(CommandLineError)
    -> Model
  {
    guard format(of: path) == .weights, let architecture else {
      return try ModelLoading.model(file: path)
    }
    guard FileManager.default.fileExists(atPath: path) else {
      throw .failure("\(path): no such file")
    }
    let model = try ModelLoading.model(named: architecture)
    do {
      try KerasModelFile.loadWeights(from: URL(fileURLWithPath: path), into: model)
    } catch {
      throw .failure(error.description)
    }
    return model
  }

  private static func write(_ model: Model, to path: String) throws(CommandLineError) {
    let url = URL(fileURLWithPath: path)
    if format(of: path) == .safetensors {
      do {
        try ModelFile.write(model, to: url)
      } catch {
        throw .failure(error.description)
      }
      return
    }
    do {
      if format(of: path) == .keras {
        try KerasModelFile.write(model, to: url)
      } else {
        try KerasModelFile.writeWeights(of: model, to: url)
      }
    } catch {
      throw .failure(error.description)
    }
  }
}
