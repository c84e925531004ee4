import Datasets
import Foundation
import NeuralNet
import Optimizers
import TensorCore

/// Why a training run ended.
public enum TrainingStop: String, Sendable, Equatable {
  /// Every epoch ran.
  case completed
  /// The time budget ran out at the end of an epoch.
  case timeBudget
  /// The caller asked to stop (Ctrl-C); the checkpoint holds the step reached.
  case interrupted
}

/// The result of ``Trainer/fit(shouldStop:)``.
public struct TrainingOutcome: Sendable, Equatable {
  /// Why the run ended.
  public var stop: TrainingStop
  /// Where the run stands at the end (history included).
  public var progress: TrainingProgress
}

/// Trains a model on an image set: the loop of Keras `fit`, with checkpoints and observers.
///
/// Each epoch shuffles the training images with its own generator stream, runs one training step
/// per batch (forward, loss, backward, optimizer update), then optionally recalibrates the
/// batch-norm statistics, evaluates the validation set, reports to the observers and writes a
/// checkpoint. The best model by validation accuracy is written as it improves. Randomness
/// comes from two streams saved in every checkpoint, so a resumed run ends with the same weights
/// as one that was never interrupted.
public final class Trainer {
  /// The model being trained.
  public let model: Model
  /// The optimizer updating it.
  public let optimizer: any Optimizer
  /// The run's settings.
  public let configuration: TrainingConfiguration
  /// Where the run stands.
  public private(set) var progress: TrainingProgress

  private let training: ImageSet
  private let validation: ImageSet?
  private let observers: [any TrainingObserver]
  private let directory: URL?
  private let settings: [RunStart.Setting]
  private let checkpointMetadata: [String: String]
  private var calibration: [Float] = []

  /// Creates a trainer for a new run or one resumed from a checkpoint.
  ///
  /// Sets the model's ``Model/convolutionAlgorithm`` to the configuration's.
  /// - Parameters:
  ///   - model: the model, initialized or restored.
  ///   - optimizer: the optimizer, new or restored.
  ///   - training: the training images.
  ///   - validation: images evaluated after each epoch, if any.
  ///   - configuration: the run's settings.
  ///   - progress: the progress of a resumed run; `nil` starts a new run from the seed.
  ///   - directory: where the checkpoint and best model go; `nil` writes none.
  ///   - observers: receivers of the run's events, in order.
  ///   - settings: the settings block shown at the start.
  ///   - checkpointMetadata: extra string pairs stored in every checkpoint (such as the
  ///     command's data flags); default none.
  /// - Precondition: the training set is not empty and the batch size is positive.
  public init(
    model: Model, optimizer: any Optimizer, training: ImageSet, validation: ImageSet?,
    configuration: TrainingConfiguration, progress: TrainingProgress? = nil, directory: URL?,
    observers: [any TrainingObserver], settings: [RunStart.Setting] = [],
    checkpointMetadata: [String: String] = [:]
  ) {
    precondition(!training.isEmpty, "Trainer needs at least one training image")
    precondition(configuration.batchSize > 0, "batch size must be positive")
    model.convolutionAlgorithm = configuration.convolutionAlgorithm
    self.model = model
    self.optimizer = optimizer
    self.training = training
    self.validation = validation.flatMap { $0.isEmpty ? nil : $0 }
    self.configuration = configuration
    self.directory = directory
    self.observers = observers
    self.settings = settings
    self.checkpointMetadata = checkpointMetadata
    if let progress {
      self.progress = progress
    } else {
      var streams = SeededGenerator(seed: configuration.seed)
      let shuffle = streams.split()
      let dropout = streams.split()
      let augmentation = streams.split()
      self.progress = TrainingProgress(
        shuffleState: shuffle.state, dropoutState: dropout.state,
        augmentationState: augmentation.state,
        dataFingerprint: Trainer.fingerprint(of: training))
    }
  }

  /// The number of batches in one epoch.
  public var stepsPerEpoch: Int {
    (training.count + configuration.batchSize - 1) / configuration.batchSize
  }

  /// The file the checkpoint is written to, if the run has a directory.
  public var checkpointURL: URL? { directory?.appendingPathComponent(Checkpoint.fileName) }

  /// The file the best model so far is written to, if the run has a directory.
  public var bestModelURL: URL? { directory?.appendingPathComponent("best-model.safetensors") }

  /// Trains until the last epoch, the time budget or a stop request.
  /// - Parameter shouldStop: asked after every step; when it returns true, the trainer writes a
  ///   checkpoint at that step and returns.
  /// - Returns: why it stopped and the final progress.
  /// - Throws: ``TrainingError`` when the engine fails or a file cannot be written.
  public func fit(shouldStop: () -> Bool = { false }) throws(TrainingError) -> TrainingOutcome {
    let batchSize = configuration.batchSize
    let prefetcher = BatchPrefetcher(
      training: training, batchSize: batchSize, maxShift: configuration.maxShift)
    try notify { observer throws(TrainingError) in
      try observer.runDidStart(
        RunStart(
          epochCount: configuration.epochCount, stepsPerEpoch: stepsPerEpoch,
          batchSize: batchSize, initialStep: progress.globalStep, settings: settings))
    }
    var dropout = SeededGenerator(state: progress.dropoutState)
    var augmentation = SeededGenerator(state: progress.augmentationState)

    while progress.epochsCompleted < configuration.epochCount {
      // Order the epoch from the shuffle stream as it stood when the epoch began.
      var shuffle = SeededGenerator(state: progress.shuffleState)
      let order = training.shuffledIndices(using: &shuffle)
      let epoch = progress.epochsCompleted + 1
      var epochStart = monotonicSeconds() - progress.epochSeconds
      func indices(ofStep step: Int) -> ArraySlice<Int> {
        order[step * batchSize..<min((step + 1) * batchSize, order.count)]
      }
      if progress.stepInEpoch < stepsPerEpoch {
        prefetcher.prepare(indices(ofStep: progress.stepInEpoch), augmentation: augmentation)
      }

      while progress.stepInEpoch < stepsPerEpoch {
        // Take the batch, and start preparing the next one while this one trains.
        let batch = prefetcher.next()
        let n = batch.count
        augmentation = batch.augmentation
        if progress.stepInEpoch + 1 < stepsPerEpoch {
          prefetcher.prepare(indices(ofStep: progress.stepInEpoch + 1), augmentation: augmentation)
        }

        // Forward, loss and backward, then the update.
        let learningRate = Double(optimizer.learningRate)
        let result: (loss: Float, correct: Int)
        do {
          result = try model.trainStep(
            images: batch.images, labels: batch.labels, count: n, generator: &dropout)
        } catch {
          throw .engine(error.description)
        }
        guard result.loss.isFinite else {
          // Stop before the update spreads the non-finite gradients into the weights; the
          // last checkpoint stays as it was.
          throw .diverged(step: progress.globalStep + 1, loss: Double(result.loss))
        }
        optimizer.update(model.parameters)

        // Account and report.
        progress.stepInEpoch += 1
        progress.globalStep += 1
        progress.epochLossSum += Double(result.loss) * Double(n)
        progress.epochCorrect += result.correct
        progress.epochSamples += n
        progress.dropoutState = dropout.state
        progress.augmentationState = augmentation.state
        let seconds = monotonicSeconds() - epochStart
        progress.epochSeconds = seconds
        let samples = Double(progress.epochSamples)
        try notify { observer throws(TrainingError) in
          try observer.stepDidEnd(
            StepEnd(
              epoch: epoch, epochCount: configuration.epochCount, step: progress.stepInEpoch,
              stepsPerEpoch: stepsPerEpoch, globalStep: progress.globalStep,
              loss: progress.epochLossSum / samples,
              accuracy: Double(progress.epochCorrect) / samples, learningRate: learningRate,
              epochSampleCount: progress.epochSamples, epochElapsedSeconds: seconds))
        }

        // Stop at a consistent point when asked.
        if shouldStop() {
          try writeCheckpoint()
          return TrainingOutcome(stop: .interrupted, progress: progress)
        }
      }

      // Finish the epoch: statistics, validation, records.
      try recalibrateIfNeeded()
      let trainingMetrics = LossAndAccuracy(
        loss: progress.epochLossSum / Double(progress.epochSamples),
        accuracy: Double(progress.epochCorrect) / Double(progress.epochSamples))
      let validationMetrics = try validation.map { set throws(TrainingError) in
        try Trainer.evaluate(model, on: set, batchSize: batchSize)
      }
      let epochSeconds = monotonicSeconds() - epochStart
      progress.elapsedSeconds += epochSeconds
      let record = EpochRecord(
        epoch: epoch, trainLoss: trainingMetrics.loss, trainAccuracy: trainingMetrics.accuracy,
        validationLoss: validationMetrics?.loss, validationAccuracy: validationMetrics?.accuracy,
        learningRate: Double(optimizer.learningRate), seconds: epochSeconds)
      progress.history.append(record)
      progress.epochsCompleted = epoch
      progress.stepInEpoch = 0
      progress.epochLossSum = 0
      progress.epochCorrect = 0
      progress.epochSamples = 0
      progress.epochSeconds = 0
      progress.shuffleState = shuffle.state
      epochStart = monotonicSeconds()
      try notify { observer throws(TrainingError) in
        try observer.epochDidEnd(
          EpochEnd(
            epoch: epoch, epochCount: configuration.epochCount, globalStep: progress.globalStep,
            stepCount: stepsPerEpoch, sampleCount: training.count, training: trainingMetrics,
            validation: validationMetrics, learningRate: record.learningRate,
            elapsedSeconds: epochSeconds))
      }

      // Keep the best model and a checkpoint.
      try keepBest(validationMetrics, epoch: epoch)
      try writeCheckpoint()
      if let budget = configuration.timeBudgetSeconds, progress.elapsedSeconds >= budget,
        progress.epochsCompleted < configuration.epochCount
      {
        try finish()
        return TrainingOutcome(stop: .timeBudget, progress: progress)
      }
    }
    try finish()
    return TrainingOutcome(stop: .completed, progress: progress)
  }

  /// The mean loss and accuracy of a model over an image set, in inference mode.
  /// - Parameters:
  ///   - model: the model.
  ///   - images: the images and labels.
  ///   - batchSize: samples per forward pass.
  /// - Returns: the loss (cross-entropy plus L2, as Keras's `val_loss`) and accuracy.
  /// - Throws: ``TrainingError/engine(_:)`` when the engine fails.
  public static func evaluate(_ model: Model, on images: ImageSet, batchSize: Int)
    throws(TrainingError) -> LossAndAccuracy
  {
    var buffer = [Float](repeating: 0, count: batchSize * ImageSet.pixelsPerImage)
    var labels = [Int32](repeating: 0, count: batchSize)
    var weightedLoss = 0.0
    var correct = 0
    var start = 0
    while start < images.count {
      let indices = start..<min(start + batchSize, images.count)
      buffer.withUnsafeMutableBufferPointer { images.writeBatch(indices: indices, into: $0) }
      for (row, index) in indices.enumerated() { labels[row] = Int32(images.labels[index]) }
      let evaluation: Evaluation
      do {
        evaluation = try buffer.withUnsafeBufferPointer { pixels throws(NeuralNetError) in
          try labels.withUnsafeBufferPointer { targets throws(NeuralNetError) in
            try model.evaluate(
              images: pixels.baseAddress!, labels: targets.baseAddress!, count: indices.count,
              batchSize: batchSize)
          }
        }
      } catch {
        throw .engine(error.description)
      }
      weightedLoss += Double(evaluation.loss) * Double(indices.count)
      correct += evaluation.correct
      start = indices.upperBound
    }
    let count = Double(max(images.count, 1))
    return LossAndAccuracy(loss: weightedLoss / count, accuracy: Double(correct) / count)
  }

  /// A short digest of an image set's pixels and labels (FNV-1a, 64-bit, hex).
  public static func fingerprint(of images: ImageSet) -> String {
    var hash: UInt64 = 0xCBF2_9CE4_8422_2325
    for byte in images.labels {
      hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3
    }
    for byte in images.pixels {
      hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3
    }
    return String(images.count) + "-" + String(hash, radix: 16)
  }

  // MARK: - Epoch end

  private func recalibrateIfNeeded() throws(TrainingError) {
    guard configuration.batchNormStatistics == .recalibrate else { return }
    if calibration.isEmpty {
      // A fixed sample, the same every epoch and in a resumed run, drawn from its own stream.
      var generator = SeededGenerator(seed: configuration.seed ^ 0x6361_6C69_6272_6174)
      let order = training.shuffledIndices(using: &generator)
      let count = min(configuration.calibrationSampleCount, training.count)
      training.writeBatch(indices: order.prefix(count), into: &calibration)
    }
    let count = calibration.count / ImageSet.pixelsPerImage
    do {
      try calibration.withUnsafeBufferPointer { images throws(NeuralNetError) in
        try model.recalibrateBatchNorm(
          images: images.baseAddress!, count: count, batchSize: configuration.batchSize)
      }
    } catch {
      throw .engine(error.description)
    }
  }

  private func keepBest(_ metrics: LossAndAccuracy?, epoch: Int) throws(TrainingError) {
    guard let metrics else { return }
    if let best = progress.bestValidationAccuracy, metrics.accuracy <= best { return }
    progress.bestValidationAccuracy = metrics.accuracy
    progress.bestEpoch = epoch
    if let url = bestModelURL {
      try ModelFile.write(
        model, to: url,
        metadata: [
          "epoch": String(epoch), "validationAccuracy": String(metrics.accuracy),
        ])
    }
  }

  private func writeCheckpoint() throws(TrainingError) {
    guard let url = checkpointURL else { return }
    try Checkpoint.write(
      model: model, optimizer: optimizer, configuration: configuration, progress: progress,
      metadata: checkpointMetadata, to: url)
  }

  private func finish() throws(TrainingError) {
    try notify { observer throws(TrainingError) in
      try observer.runDidEnd(
        RunEnd(
          epochsCompleted: progress.epochsCompleted, globalStep: progress.globalStep,
          elapsedSeconds: progress.elapsedSeconds))
    }
  }

  private func notify(_ body: (any TrainingObserver) throws(TrainingError) -> Void)
    throws(TrainingError)
  {
    for observer in observers { try body(observer) }
  }
}
