import Datasets
import Foundation
import NeuralNet
import Optimizers
import TensorCore
import Training

/// `notmnist bench`: training and inference speed, single-image latency, peak memory, the cost
/// of the training loop and a per-layer table, on a model with seeded random weights and
/// seeded synthetic images.
enum BenchCommand: Command {
  static let name = "bench"
  static let abstract =
    "Measure training and inference images/s, latency, peak memory and per-layer GFLOP/s."
  static let usage =
    "notmnist bench [--precision fp32|bf16] [--json] [--batch-size N] [--steps N] [--seed S]"
    + " [options]"
  static var options: [OptionSpec] {
    [
      ModelLoading.precisionOption,
      ModelLoading.convolutionOption,
      .flag(
        "--json",
        "print {trainImagesPerSecond, inferImagesPerSecond, latencyMs, peakResidentBytes,"
          + " layers, ...} as JSON"),
      .value("--batch-size", "N", "images per training and inference batch; default 512"),
      .value("--steps", "N", "timed training steps and inference batches; default 20"),
      .value("--warmup", "N", "untimed steps before each measurement; default 3"),
      .value("--latency-calls", "N", "timed single-image predictions; default 200"),
      .value("--profile-steps", "N", "timed iterations of the per-layer table; default 5"),
      .value("--loop-epochs", "N", "epochs of the training-loop measurement; default 2"),
      .value("--loop-steps", "N", "batches per epoch of the training-loop measurement; default 20"),
      .value("--peak-size", "M", "side of the matmul that measures the peak; default 2048"),
      .value(
        "--model", "NAME",
        "architecture: \(ModelBuilder.names.joined(separator: ", ")); default reference"),
      .value("--threads", "N", "OpenMP threads; default the core count"),
      .value("--seed", "S", "seed for the weights, images, labels and dropout; default 0"),
    ]
  }

  /// The flags after validation.
  struct Settings: Equatable {
    var precision = Precision.fp32
    var convolutionAlgorithm = ConvolutionAlgorithm.winograd
    var isJSON = false
    var batchSize = 512
    var steps = 20
    var warmup = 3
    var latencyCalls = 200
    var profileSteps = 5
    var loopEpochs = 2
    var loopSteps = 20
    var peakSize = 2048
    var modelName = "reference"
    var threads: Int?
    var seed: UInt64 = 0
  }

  static func run(_ arguments: ParsedArguments, console: Console) throws(CommandLineError)
    -> Int32
  {
    let settings = try validate(arguments)
    if let threads = settings.threads { Model.setThreadCount(threads) }
    let report: BenchReport
    do {
      report = try measure(settings, progress: { console.note($0) })
    } catch let error as NeuralNetError {
      throw .failure(error.description)
    } catch let error as TrainingError {
      throw .failure(error.description)
    } catch {
      throw .failure("\(error)")
    }
    console.write(settings.isJSON ? report.json() : report.text())
    return 0
  }

  /// Checks the flags before any work.
  /// - Throws: `CommandLineError.usage` for a stray argument, an unknown precision or model, or
  ///   a number out of range.
  static func validate(_ arguments: ParsedArguments) throws(CommandLineError) -> Settings {
    guard arguments.positional.isEmpty else {
      throw .usage("unexpected argument '\(arguments.positional[0])'")
    }
    var settings = Settings()
    settings.precision = try ModelLoading.precision(arguments)
    settings.convolutionAlgorithm = try ModelLoading.convolutionAlgorithm(arguments)
    settings.isJSON = arguments.has("--json")
    settings.batchSize = try arguments.int("--batch-size", default: 512, in: 1...65_536)
    settings.steps = try arguments.int("--steps", default: 20, in: 1...100_000)
    settings.warmup = try arguments.int("--warmup", default: 3, in: 1...1000)
    settings.latencyCalls = try arguments.int("--latency-calls", default: 200, in: 1...1_000_000)
    settings.profileSteps = try arguments.int("--profile-steps", default: 5, in: 1...10_000)
    settings.loopEpochs = try arguments.int("--loop-epochs", default: 2, in: 1...1000)
    settings.loopSteps = try arguments.int("--loop-steps", default: 20, in: 1...100_000)
    settings.peakSize = try arguments.int("--peak-size", default: 2048, in: 16...16_384)
    settings.modelName = try arguments.choice(
      "--model", default: "reference", from: ModelBuilder.names)
    if arguments.string("--threads") != nil {
      settings.threads = try arguments.int("--threads", default: 1, in: 1...1024)
    }
    settings.seed = UInt64(try arguments.int("--seed", default: 0, in: 0...Int.max))
    return settings
  }

  // MARK: - Measurements

  /// Runs every measurement in order: training (then the peak memory), inference, latency,
  /// the per-layer profile, the attainable peak and the training loop.
  /// - Parameters:
  ///   - settings: what to measure.
  ///   - progress: receives a line as each measurement starts.
  /// - Returns: the figures.
  /// - Throws: `NeuralNetError` when the engine fails, `TrainingError` when the loop does.
  static func measure(_ settings: Settings, progress: (String) -> Void) throws -> BenchReport {
    var generator = SeededGenerator(seed: settings.seed)
    let model = try Model(
      named: settings.modelName, generator: &generator, precision: settings.precision)
    model.convolutionAlgorithm = settings.convolutionAlgorithm
    let batch = settings.batchSize
    let data = syntheticImages(count: batch, generator: &generator)
    var images = [Float](repeating: 0, count: batch * ImageSet.pixelsPerImage)
    images.withUnsafeMutableBufferPointer { data.writeBatch(indices: 0..<batch, into: $0) }
    let labels = data.labels.map(Int32.init)

    // Training: full steps (forward, loss, backward, RMSprop update).
    progress("bench: training, \(settings.warmup) + \(settings.steps) steps of \(batch)")
    let optimizer = RMSprop()
    let trainStep = try timings(warmup: settings.warmup, count: settings.steps) {
      () throws(NeuralNetError) in
      _ = try images.withUnsafeBufferPointer { pointer throws(NeuralNetError) in
        try model.trainStep(images: pointer.baseAddress!, labels: labels, generator: &generator)
      }
      optimizer.update(model.parameters)
    }
    // Read before anything else allocates.
    let trainingPeak = ProcessMemory.peakResidentBytes()

    progress("bench: inference, \(settings.warmup) + \(settings.steps) batches of \(batch)")
    let inferBatch = try timings(warmup: settings.warmup, count: settings.steps) {
      () throws(NeuralNetError) in
      _ = try images.withUnsafeBufferPointer { pointer throws(NeuralNetError) in
        try model.predict(images: pointer.baseAddress!, count: batch)
      }
    }

    progress("bench: single-image latency, \(settings.latencyCalls) predictions")
    let singleImage = try timings(warmup: 10, count: settings.latencyCalls) {
      () throws(NeuralNetError) in
      _ = try images.withUnsafeBufferPointer { pointer throws(NeuralNetError) in
        try model.predict(images: pointer.baseAddress!, count: 1)
      }
    }

    progress("bench: per-layer profile, \(settings.profileSteps) iterations")
    let profile = try model.profile(
      batch: batch, iterations: settings.profileSteps, warmupIterations: 1,
      generator: &generator)

    progress("bench: attainable peak, \(settings.peakSize)² matmul in \(settings.precision)")
    var peak: Double?
    var peakNote: String?
    do {
      peak = try MatmulPeak.measure(precision: settings.precision, size: settings.peakSize)
      peakNote = "\(settings.precision) matmul \(settings.peakSize)x\(settings.peakSize)"
    } catch {
      peakNote = "no \(settings.precision) matmul here: \(error.description)"
    }

    progress(
      "bench: training loop, \(ReportPictures.plural(settings.loopEpochs, "epoch")) of"
        + " \(ReportPictures.plural(settings.loopSteps, "step"))")
    let loop = try loopOverhead(
      model: model, settings: settings, bareStepSeconds: trainStep.meanMs / 1000,
      generator: &generator)
    let finalPeak = ProcessMemory.peakResidentBytes()

    let flopsPerImage = model.trainingFLOPsPerImage
    let engine = EngineInfo.current
    return BenchReport(
      trainImagesPerSecond: Double(batch) / (trainStep.medianMs / 1000),
      inferImagesPerSecond: Double(batch) / (inferBatch.medianMs / 1000),
      latencyMs: singleImage.medianMs, peakResidentBytes: trainingPeak,
      finalPeakResidentBytes: finalPeak, layers: layerRows(profile, peak: peak),
      model: settings.modelName, precision: settings.precision.rawValue,
      convolutionAlgorithm:
        settings.convolutionAlgorithm.effective(at: settings.precision).rawValue,
      batchSize: batch,
      seed: settings.seed, trainStep: trainStep, inferBatch: inferBatch, singleImage: singleImage,
      trainingFLOPsPerImage: flopsPerImage,
      trainGFLOPS: Double(flopsPerImage * batch) / (trainStep.medianMs * 1e6),
      attainablePeakGFLOPS: peak, peakNote: peakNote, profileIterations: settings.profileSteps,
      lossMs: profile.lossMilliseconds,
      loopOverhead: loop,
      machine: BenchReport.Machine(
        cpu: cpuName(), cores: ProcessInfo.processInfo.activeProcessorCount,
        threads: engine.threads, oneDNNVersion: engine.version, oneDNNISA: engine.isa))
  }

  /// Runs `body` `warmup` times untimed, then `count` times timed.
  static func timings(
    warmup: Int, count: Int, _ body: () throws(NeuralNetError) -> Void
  ) throws(NeuralNetError) -> BenchReport.Timing {
    for _ in 0..<warmup { try body() }
    var seconds: [Double] = []
    seconds.reserveCapacity(count)
    for _ in 0..<count {
      let start = monotonicSeconds()
      try body()
      seconds.append(monotonicSeconds() - start)
    }
    return BenchReport.Timing(seconds: seconds)
  }

  /// `count` images of uniform random bytes with uniform random labels.
  static func syntheticImages(count: Int, generator: inout SeededGenerator) -> ImageSet {
    let pixels = (0..<count * ImageSet.pixelsPerImage).map { _ in
      UInt8(truncatingIfNeeded: generator.next() >> 56)
    }
    let labels = (0..<count).map { _ in
      UInt8(generator.next() % UInt64(ImageSet.classCount))
    }
    return ImageSet(pixels: pixels, labels: labels, names: (0..<count).map { "synthetic#\($0)" })
  }

  /// Trains with the real ``Trainer`` for a few epochs of whole batches and compares the time
  /// with as many bare steps of the mean bare step time.
  ///
  /// The loop includes shuffling, batch preparation, the progress display (formatted, not
  /// shown) and a checkpoint written each epoch into a temporary folder; batch-norm
  /// recalibration is off and there is no validation set.
  static func loopOverhead(
    model: Model, settings: Settings, bareStepSeconds: Double, generator: inout SeededGenerator
  ) throws -> BenchReport.LoopOverhead {
    let data = syntheticImages(
      count: settings.loopSteps * settings.batchSize, generator: &generator)
    var configuration = TrainingConfiguration()
    configuration.epochCount = settings.loopEpochs
    configuration.batchSize = settings.batchSize
    configuration.seed = settings.seed
    configuration.batchNormStatistics = .keras
    configuration.precision = settings.precision
    configuration.convolutionAlgorithm = settings.convolutionAlgorithm
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
      "notmnist-bench-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: directory) }
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let display = ProgressDisplay(isTerminal: false, logEvery: 10, write: { _ in })
    let trainer = Trainer(
      model: model, optimizer: RMSprop(), training: data, validation: nil,
      configuration: configuration, directory: directory, observers: [display])
    let start = monotonicSeconds()
    _ = try trainer.fit()
    let seconds = monotonicSeconds() - start
    let bare = Double(settings.loopEpochs * settings.loopSteps) * bareStepSeconds
    return BenchReport.LoopOverhead(
      epochs: settings.loopEpochs, stepsPerEpoch: settings.loopSteps, loopSeconds: seconds,
      bareStepsSeconds: bare, percent: (seconds - bare) / bare * 100,
      includes:
        "Trainer.fit with shuffling, batch preparation (one step ahead, on another thread),"
        + " progress, a checkpoint per epoch;"
        + " no batch-norm recalibration, no validation")
  }

  /// The per-layer rows with GFLOP/s and their share of the attainable peak.
  static func layerRows(_ profile: ModelProfile, peak: Double?) -> [BenchReport.Layer] {
    profile.layers.map { entry in
      BenchReport.Layer(
        name: entry.cost.name, kind: entry.cost.kind, forwardMs: entry.forwardMilliseconds,
        backwardMs: entry.backwardMilliseconds, forwardFLOPs: entry.cost.forwardFLOPs,
        backwardFLOPs: entry.cost.backwardFLOPs, forwardGFLOPS: entry.forwardGFLOPS,
        backwardGFLOPS: entry.backwardGFLOPS,
        forwardShareOfPeak: peak.flatMap { p in entry.forwardGFLOPS.map { $0 / p } },
        backwardShareOfPeak: peak.flatMap { p in entry.backwardGFLOPS.map { $0 / p } },
        kernels: entry.kernels)
    }
  }

  /// The CPU's model name from `/proc/cpuinfo`, or `unknown CPU`.
  static func cpuName() -> String {
    guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else {
      return "unknown CPU"
    }
    for line in text.split(separator: "\n") where line.hasPrefix("model name") {
      if let colon = line.firstIndex(of: ":") {
        return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
      }
    }
    return "unknown CPU"
  }
}
