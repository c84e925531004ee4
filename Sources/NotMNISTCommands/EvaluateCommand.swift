import Foundation
import Training

/// `notmnist evaluate --model FILE --data PATH... [--json]`: the reference write-up's report.
enum EvaluateCommand: Command {
  static let name = "evaluate"
  static let abstract =
    "Report a model's confusion matrix, per-class precision/recall/F1/specificity and kappa."
  static let usage =
    "notmnist evaluate --model FILE --data PATH... [--precision fp32|bf16] [--json]"
  static var options: [OptionSpec] {
    [
      .value(
        "--model", "FILE", "a model file: .safetensors from 'notmnist train', or a Keras .keras"),
      .list("--data", "PATH", "labelled data: folders, archives or idx files"),
      ModelLoading.precisionOption,
      .flag("--json", "print {accuracy, kappa, confusion, perClass} as JSON"),
    ]
  }

  static func run(_ arguments: ParsedArguments, console: Console) throws(CommandLineError)
    -> Int32
  {
    guard arguments.positional.isEmpty else {
      throw .usage("unexpected argument '\(arguments.positional[0])'; give data with --data")
    }
    guard let modelPath = arguments.string("--model") else {
      throw .usage("give the model with --model FILE")
    }
    let paths = arguments.strings("--data")
    guard !paths.isEmpty else { throw .usage("give the data with --data PATH...") }

    let precision = try ModelLoading.precision(arguments)
    let model = try ModelLoading.notMNISTModel(file: modelPath, precision: precision)
    let images = try DataLoading.load(paths, split: "evaluation", console: console)
    do {
      let report = try Predictor.report(model: model, images: images)
      console.write(arguments.has("--json") ? report.json() : report.text())
    } catch {
      throw .failure(error.description)
    }
    return 0
  }
}
