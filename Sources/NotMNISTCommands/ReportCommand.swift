import Foundation
import NeuralNet
import TensorCore
import Training

/// `notmnist report --model FILE --data PATH... --out DIR`: one self-contained HTML page with
/// the run's settings and curves (from the model file), the evaluation on the data and pictures.
enum ReportCommand: Command {
  static let name = "report"
  static let abstract =
    "Write an HTML report: settings, curves, confusion matrix, metrics, mistakes and glyphs."
  static let usage =
    "notmnist report --model FILE --data PATH... --out DIR [--samples N] [--mistakes N] [--seed S]"
    + " [--precision fp32|bf16]"
  static var options: [OptionSpec] {
    [
      .value("--model", "FILE", "a model file written by 'notmnist train'"),
      .list("--data", "PATH", "labelled data to evaluate: folders, archives or idx files"),
      .value("--out", "DIR", "the folder that receives report.html (created if needed)"),
      .value("--samples", "N", "random images of the data to show, 1...1000; default 50"),
      .value("--mistakes", "N", "most confident mistakes to show, 0...500; default 30"),
      .value("--seed", "S", "picks the random images; default 0"),
      ModelLoading.precisionOption,
    ]
  }

  /// The flags after validation.
  struct Plan: Equatable {
    var modelPath: String
    var dataPaths: [String]
    var outDirectory: URL
    var sampleCount: Int
    var mistakeLimit: Int
    var seed: UInt64
    var precision: Precision
  }

  static func run(_ arguments: ParsedArguments, console: Console) throws(CommandLineError)
    -> Int32
  {
    let plan = try validate(arguments)
    guard FileManager.default.fileExists(atPath: plan.modelPath) else {
      throw .failure("\(plan.modelPath): no such file")
    }
    let (model, metadata): (Model, [String: String])
    if plan.modelPath.hasSuffix(".keras") {
      (model, metadata) = (
        try ModelLoading.model(file: plan.modelPath, precision: plan.precision), [:]
      )
    } else {
      do {
        (model, metadata) = try ModelFile.read(
          from: URL(fileURLWithPath: plan.modelPath), precision: plan.precision)
      } catch {
        throw .failure(error.description)
      }
    }
    try ModelLoading.checkFitsNotMNIST(model, path: plan.modelPath)
    let record = try TrainingRecord(metadata: metadata, path: plan.modelPath)
    let images = try DataLoading.load(plan.dataPaths, split: "report", console: console)

    let probabilities: Tensor
    do {
      probabilities = try Predictor.probabilities(model: model, images: images)
    } catch {
      throw .failure(error.description)
    }
    let name = plan.dataPaths.map { URL(fileURLWithPath: $0).lastPathComponent }
      .joined(separator: ", ")
    let page = try ModelReport.build(
      ModelReport.Inputs(
        modelPath: plan.modelPath, model: model, record: record, evaluation: images,
        evaluationName: name, probabilities: probabilities, data: images, dataName: name,
        sampleCount: plan.sampleCount, mistakeLimit: plan.mistakeLimit, seed: plan.seed))
    let url = try ModelReport.write(page, to: plan.outDirectory)
    console.note(
      "report written to \(url.path): accuracy \(String(format: "%.4f", page.evaluation.accuracy))"
        + " on \(images.count) images, \(page.figures.count) pictures")
    return 0
  }

  /// Checks the flags before any work.
  /// - Throws: `CommandLineError.usage` for a missing `--model`, `--data` or `--out`, a stray
  ///   argument or a number out of range.
  static func validate(_ arguments: ParsedArguments) throws(CommandLineError) -> Plan {
    guard arguments.positional.isEmpty else {
      throw .usage("unexpected argument '\(arguments.positional[0])'; give data with --data")
    }
    guard let modelPath = arguments.string("--model") else {
      throw .usage("give the model with --model FILE")
    }
    let dataPaths = arguments.strings("--data")
    guard !dataPaths.isEmpty else { throw .usage("give the data with --data PATH...") }
    guard let out = arguments.string("--out") else {
      throw .usage("give the folder for report.html with --out DIR")
    }
    return Plan(
      modelPath: modelPath, dataPaths: dataPaths, outDirectory: URL(fileURLWithPath: out),
      sampleCount: try arguments.int("--samples", default: 50, in: 1...1000),
      mistakeLimit: try arguments.int("--mistakes", default: 30, in: 0...500),
      seed: UInt64(try arguments.int("--seed", default: 0, in: 0...Int.max)),
      precision: try ModelLoading.precision(arguments))
  }
}
