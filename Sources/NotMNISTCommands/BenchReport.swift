import Foundation
import NeuralNet
import TensorCore

/// The figures of one `notmnist bench` run, printed as a table or as JSON.
///
/// The JSON keys are the property names; `trainImagesPerSecond`, `inferImagesPerSecond`,
/// `latencyMs`, `peakResidentBytes` and `layers` are the headline figures, the rest say how
/// they were measured. Optional figures are left out of the JSON when they could not be taken.
struct BenchReport: Encodable, Equatable {
  /// Median, mean and 90th percentile of a set of timings, in milliseconds.
  struct Timing: Encodable, Equatable {
    var medianMs: Double
    var meanMs: Double
    var p90Ms: Double
    var count: Int

    init(seconds: [Double]) {
      let sorted = seconds.sorted()
      count = sorted.count
      guard !sorted.isEmpty else {
        medianMs = 0
        meanMs = 0
        p90Ms = 0
        return
      }
      meanMs = sorted.reduce(0, +) / Double(sorted.count) * 1000
      let middle = sorted.count / 2
      let median =
        sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
      let rank = Int((0.9 * Double(sorted.count)).rounded(.up)) - 1
      medianMs = median * 1000
      p90Ms = sorted[max(0, min(rank, sorted.count - 1))] * 1000
    }
  }

  /// One row of the per-layer table.
  struct Layer: Encodable, Equatable {
    var name: String
    var kind: String
    var forwardMs: Double
    var backwardMs: Double
    var forwardFLOPs: Int
    var backwardFLOPs: Int
    var forwardGFLOPS: Double?
    var backwardGFLOPS: Double?
    /// GFLOP/s as a fraction of the attainable peak.
    var forwardShareOfPeak: Double?
    var backwardShareOfPeak: Double?
    /// The oneDNN implementations the layer ran, reorders left out.
    var kernels: [String]
  }

  /// The training loop (`Trainer.fit`) against bare steps.
  struct LoopOverhead: Encodable, Equatable {
    var epochs: Int
    var stepsPerEpoch: Int
    var loopSeconds: Double
    var bareStepsSeconds: Double
    /// `(loopSeconds - bareStepsSeconds) / bareStepsSeconds · 100`.
    var percent: Double
    var includes: String
  }

  /// The machine and engine.
  struct Machine: Encodable, Equatable {
    var cpu: String
    var cores: Int
    var threads: Int
    var oneDNNVersion: String
    var oneDNNISA: String
  }

  var trainImagesPerSecond: Double
  var inferImagesPerSecond: Double
  var latencyMs: Double
  /// `VmHWM` read right after the training measurement.
  var peakResidentBytes: Int?
  /// `VmHWM` at the end of the run.
  var finalPeakResidentBytes: Int?
  var layers: [Layer]

  var model: String
  var precision: String
  var convolutionAlgorithm: String
  var batchSize: Int
  var seed: UInt64
  var trainStep: Timing
  var inferBatch: Timing
  var singleImage: Timing
  var trainingFLOPsPerImage: Int
  var trainGFLOPS: Double
  /// GFLOP/s of a large oneDNN matmul in the same precision; nil when it could not run.
  var attainablePeakGFLOPS: Double?
  var peakNote: String?
  var profileIterations: Int
  /// Median time of the loss and its gradient in the per-layer profile.
  var lossMs: Double
  var loopOverhead: LoopOverhead
  var machine: Machine

  /// The report as one line of JSON with sorted keys.
  func json() -> String { StoredJSON.text(self) + "\n" }

  /// The report as tables for people.
  func text() -> String {
    var lines = [
      "notmnist bench: \(model) model, \(precision), \(convolutionAlgorithm) convolutions, batch"
        + " \(batchSize), seed \(seed)",
      "machine: \(machine.cpu), \(machine.cores) cores; \(machine.threads) threads;"
        + " oneDNN \(machine.oneDNNVersion) (\(machine.oneDNNISA))",
      "",
      row(["measurement", "median", "p90", "rate"], widths: [34, 11, 11, 16]),
      row(
        [
          "training step (\(batchSize) images, \(trainStep.count)x)", ms(trainStep.medianMs),
          ms(trainStep.p90Ms), "\(count(trainImagesPerSecond)) img/s",
        ], widths: [34, 11, 11, 16]),
      row(
        [
          "inference batch (\(batchSize) images, \(inferBatch.count)x)", ms(inferBatch.medianMs),
          ms(inferBatch.p90Ms), "\(count(inferImagesPerSecond)) img/s",
        ], widths: [34, 11, 11, 16]),
      row(
        [
          "single image, predict (\(singleImage.count)x)", ms(singleImage.medianMs),
          ms(singleImage.p90Ms), "\(count(1000 / max(latencyMs, 1e-9))) img/s",
        ], widths: [34, 11, 11, 16]),
      "",
      "peak resident memory: \(bytes(peakResidentBytes)) while training (VmHWM read right after"
        + " the training measurement)",
      "peak resident memory: \(bytes(finalPeakResidentBytes)) at the end of the run",
      "training work: \(String(format: "%.1f", Double(trainingFLOPsPerImage) / 1e6)) MFLOP per"
        + " image, \(String(format: "%.1f", trainGFLOPS)) GFLOP/s over the whole step",
      "attainable peak (matmul): "
        + (attainablePeakGFLOPS.map { String(format: "%.1f GFLOP/s", $0) } ?? "not measured")
        + (peakNote.map { " (\($0))" } ?? ""),
      "training loop: \(ReportPictures.plural(loopOverhead.epochs, "epoch")) x"
        + " \(ReportPictures.plural(loopOverhead.stepsPerEpoch, "step")) in"
        + " \(String(format: "%.2f", loopOverhead.loopSeconds)) s against"
        + " \(String(format: "%.2f", loopOverhead.bareStepsSeconds)) s of bare steps:"
        + " \(String(format: "%+.1f", loopOverhead.percent))%",
      "  (the loop: \(loopOverhead.includes))",
      "",
      "per layer (batch \(batchSize), median of \(profileIterations) iterations, stream waited"
        + " after each layer; share of the attainable peak)",
    ]
    let widths = [26, 18, 9, 9, 10, 10, 7, 7, 0]
    lines.append(
      row(
        [
          "layer", "kind", "fwd ms", "bwd ms", "fwd GF/s", "bwd GF/s", "fwd %", "bwd %",
          "  kernels",
        ],
        widths: widths))
    for layer in layers {
      lines.append(
        row(
          [
            layer.name, layer.kind, String(format: "%.2f", layer.forwardMs),
            String(format: "%.2f", layer.backwardMs), rate(layer.forwardGFLOPS),
            rate(layer.backwardGFLOPS), share(layer.forwardShareOfPeak),
            share(layer.backwardShareOfPeak), "  " + layer.kernels.joined(separator: ", "),
          ], widths: widths))
    }
    lines.append(
      row(["(loss)", "", String(format: "%.2f", lossMs), "", "", "", "", "", ""], widths: widths))
    let forward = layers.reduce(0) { $0 + $1.forwardMs } + lossMs
    let backward = layers.reduce(0) { $0 + $1.backwardMs }
    lines.append(
      row(
        [
          "total", "", String(format: "%.2f", forward), String(format: "%.2f", backward), "", "",
          "", "", "",
        ], widths: widths))
    return lines.joined(separator: "\n") + "\n"
  }

  // MARK: - Formatting

  /// Left-aligns the first column and right-aligns the others.
  private func row(_ cells: [String], widths: [Int]) -> String {
    zip(cells, widths).enumerated().map { index, pair in
      let (cell, width) = pair
      let pad = String(repeating: " ", count: max(0, width - cell.count))
      return index == 0 ? cell + pad : pad + cell
    }.joined(separator: " ").trimmingCharacters(in: .whitespaces)
  }

  private func ms(_ value: Double) -> String { String(format: "%.3f ms", value) }

  private func count(_ value: Double) -> String { String(format: "%.0f", value) }

  private func rate(_ value: Double?) -> String {
    value.map { String(format: "%.1f", $0) } ?? ""
  }

  private func share(_ value: Double?) -> String {
    value.map { String(format: "%.0f%%", $0 * 100) } ?? ""
  }

  private func bytes(_ value: Int?) -> String {
    guard let value else { return "unknown" }
    return String(format: "%.2f GiB", Double(value) / 1_073_741_824)
  }
}
