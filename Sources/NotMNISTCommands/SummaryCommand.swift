import Foundation
import NeuralNet
import TensorCore

/// `notmnist summary [--model NAME|FILE] [--json]`: the layers and parameter counts of a model.
enum SummaryCommand: Command {
  static let name = "summary"
  static let abstract = "Print a Keras-style table of a model's layers and parameter counts."
  static let usage = "notmnist summary [--model NAME|FILE] [--json]"
  static var options: [OptionSpec] {
    [
      .value(
        "--model", "NAME|FILE",
        "a built-in model (\(ModelBuilder.names.joined(separator: ", "))) or a saved model file;"
          + " default reference"),
      .flag("--json", "print {totalParams, trainableParams, nonTrainableParams, layers} as JSON"),
    ]
  }

  static func run(_ arguments: ParsedArguments, console: Console) throws(CommandLineError)
    -> Int32
  {
    let name = arguments.string("--model") ?? "reference"
    guard arguments.positional.isEmpty else {
      throw .usage("unexpected argument '\(arguments.positional[0])'")
    }
    let model = try ModelLoading.model(named: name)
    let summary = model.summary()
    if arguments.has("--json") {
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.sortedKeys]
      guard let data = try? encoder.encode(summary), let text = String(data: data, encoding: .utf8)
      else { throw .failure("could not encode the summary as JSON") }
      console.print(text)
    } else {
      console.write(summary.text)
    }
    return 0
  }
}
