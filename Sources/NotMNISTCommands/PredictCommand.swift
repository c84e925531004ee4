import Datasets
import Foundation
import TensorCore
import Training

/// `notmnist predict --model FILE PATH... [--top K] [--json]`: the letter of each image.
enum PredictCommand: Command {
  static let name = "predict"
  static let abstract = "Predict the letter of PNG files or of every image in data sources."
  static let usage =
    "notmnist predict --model FILE PATH... [--top K] [--precision fp32|bf16] [--json]"
  static var options: [OptionSpec] {
    [
      .value(
        "--model", "FILE", "a model file: .safetensors from 'notmnist train', or a Keras .keras"),
      .value("--top", "K", "letters to show per image, most probable first; default 1"),
      ModelLoading.precisionOption,
      .flag("--json", "print {predictions: [{path, top: [{letter, probability}]}], failures}"),
    ]
  }

  static let letters = ["A", "B", "C", "D", "E", "F", "G", "H", "I", "J"]

  static func run(_ arguments: ParsedArguments, console: Console) throws(CommandLineError)
    -> Int32
  {
    guard let modelPath = arguments.string("--model") else {
      throw .usage("give the model with --model FILE")
    }
    let paths = arguments.positional
    guard !paths.isEmpty else { throw .usage("give at least one image or data PATH") }
    let top = try arguments.int("--top", default: 1, in: 1...10)
    let precision = try ModelLoading.precision(arguments)
    let model = try ModelLoading.notMNISTModel(file: modelPath, precision: precision)

    let (images, failures) = collect(paths)
    var rows: [(name: String, top: [(letter: String, probability: Float)])] = []
    if !images.isEmpty {
      let probabilities: Tensor
      do {
        probabilities = try Predictor.probabilities(model: model, images: images)
      } catch {
        throw .failure(error.description)
      }
      for row in 0..<images.count {
        let scores = probabilities.scalars[(row * 10)..<(row * 10 + 10)]
        let ranked = scores.indices.sorted { scores[$0] > scores[$1] }.prefix(top)
        rows.append(
          (images.names[row], ranked.map { (letters[$0 - row * 10], scores[$0]) }))
      }
    }

    if arguments.has("--json") {
      console.write(json(rows, failures))
    } else {
      for row in rows {
        let guesses = row.top.map { "\($0.letter) \(format($0.probability))" }
        console.print("\(row.name)\t\(guesses.joined(separator: "  "))")
      }
      for failure in failures { console.note("error: \(failure.path): \(failure.reason)") }
    }
    return failures.isEmpty ? 0 : 1
  }

  /// Reads PNG files one by one and other paths as data sources; unreadable ones are failures.
  static func collect(_ paths: [String]) -> (ImageSet, [(path: String, reason: String)]) {
    var pixels: [UInt8] = []
    var names: [String] = []
    var failures: [(path: String, reason: String)] = []
    let decoder = PNGDecoder()
    for path in paths {
      if path.lowercased().hasSuffix(".png") {
        let outcome: PNGDecoder.Outcome
        do {
          outcome = try decoder.decodeFile(atPath: path)
        } catch {
          failures.append((path, reason(error.description, path: path)))
          continue
        }
        switch outcome {
        case .image(let image):
          pixels += image
          names.append(path)
        case .skipped(let reason):
          failures.append((path, reason.description))
        }
        continue
      }
      do {
        let loaded = try SourceLoader.load(path)
        pixels += loaded.images.pixels
        names += loaded.images.names.map { "\(path):\($0)" }
        failures += loaded.skipped.map { ("\(path):\($0.entry)", $0.reason.description) }
      } catch {
        failures.append((path, reason(error.description, path: path)))
      }
    }
    let images = ImageSet(
      pixels: pixels, labels: [UInt8](repeating: 0, count: names.count), names: names)
    return (images, failures)
  }

  /// A loader message without its leading `path: `, which the failure line adds itself.
  static func reason(_ message: String, path: String) -> String {
    let prefix = path + ": "
    return message.hasPrefix(prefix) ? String(message.dropFirst(prefix.count)) : message
  }

  static func format(_ probability: Float) -> String {
    String(format: "%.4f", Double(probability))
  }

  static func json(
    _ rows: [(name: String, top: [(letter: String, probability: Float)])],
    _ failures: [(path: String, reason: String)]
  ) -> String {
    let predictionTexts = rows.map { row in
      let top = row.top.map {
        // Full float32 precision (the shortest text that reads back the same), so the JSON can
        // be compared with other frameworks' outputs; JSON has no NaN or infinity, so those
        // are `null`.
        let probability = $0.probability.isFinite ? "\($0.probability)" : "null"
        return "{\"letter\": \"\($0.letter)\", \"probability\": \(probability)}"
      }
      return "{\"path\": \(JSONText.quoted(row.name)), \"top\": [\(top.joined(separator: ", "))]}"
    }
    let failureTexts = failures.map {
      "{\"path\": \(JSONText.quoted($0.path)), \"reason\": \(JSONText.quoted($0.reason))}"
    }
    return "{\"predictions\": [\(predictionTexts.joined(separator: ", "))], "
      + "\"failures\": [\(failureTexts.joined(separator: ", "))]}\n"
  }
}
