import NeuralNet

/// The settings of a training run that the trainer itself uses.
///
/// The defaults are the reference recipe: 60 epochs of batches of 512, in fp32.
public struct TrainingConfiguration: Codable, Sendable, Equatable {
  /// How batch-norm moving statistics are kept for evaluation and the saved model.
  public enum BatchNormStatistics: String, Codable, Sendable, CaseIterable {
    /// As Keras: exponential moving averages with momentum 0.99, updated each step.
    case keras
    /// As Keras during training, then after each epoch recomputed exactly from a fixed sample
    /// of training images (the weights do not change; only the statistics used in inference).
    case recalibrate
  }

  /// Epochs to train.
  public var epochCount = 60
  /// Samples per batch; the last batch of an epoch may be smaller.
  public var batchSize = 512
  /// The run's seed; shuffling and dropout draw from streams derived from it.
  public var seed: UInt64 = 0
  /// Stop after the epoch during which this many seconds of training have passed; `nil` for none.
  public var timeBudgetSeconds: Double?
  /// How batch-norm statistics are kept; default ``BatchNormStatistics/recalibrate``.
  public var batchNormStatistics = BatchNormStatistics.recalibrate
  /// Training images used to recalibrate batch-norm statistics.
  public var calibrationSampleCount = 2048
  /// The largest random shift, in pixels, applied to each training image; 0 for none (the
  /// reference recipe).
  public var maxShift = 0
  /// The number format the model computes in; default fp32.
  ///
  /// Stored in the checkpoint, so a resumed run keeps it.
  public var precision = Precision.fp32
  /// How training passes compute eligible 3×3 convolutions; default Winograd (see
  /// ``ConvolutionAlgorithm``).
  ///
  /// Stored in the checkpoint, so a resumed run keeps it.
  public var convolutionAlgorithm = ConvolutionAlgorithm.winograd

  /// Creates the reference settings.
  public init() {}

  private enum CodingKeys: String, CodingKey {
    case epochCount, batchSize, seed, timeBudgetSeconds, batchNormStatistics
    case calibrationSampleCount, maxShift, precision, convolutionAlgorithm
  }

  /// Reads settings written by ``encode(to:)``; a missing `precision` or
  /// `convolutionAlgorithm` (a run saved before they existed) is fp32 or direct, as such runs
  /// computed.
  /// - Throws: `DecodingError` for a missing or mistyped value.
  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    epochCount = try container.decode(Int.self, forKey: .epochCount)
    batchSize = try container.decode(Int.self, forKey: .batchSize)
    seed = try container.decode(UInt64.self, forKey: .seed)
    timeBudgetSeconds = try container.decodeIfPresent(Double.self, forKey: .timeBudgetSeconds)
    batchNormStatistics = try container.decode(
      BatchNormStatistics.self, forKey: .batchNormStatistics)
    calibrationSampleCount = try container.decode(Int.self, forKey: .calibrationSampleCount)
    maxShift = try container.decode(Int.self, forKey: .maxShift)
    precision = try container.decodeIfPresent(Precision.self, forKey: .precision) ?? .fp32
    convolutionAlgorithm =
      try container.decodeIfPresent(ConvolutionAlgorithm.self, forKey: .convolutionAlgorithm)
      ?? .direct
  }

  /// What is wrong with these settings, or `nil` when a trainer can run them (a checkpoint's
  /// settings are checked before they are trusted).
  public var problem: String? {
    if !(1...100_000).contains(epochCount) {
      return "epoch count \(epochCount) is not in 1...100000"
    }
    if !(1...65_536).contains(batchSize) { return "batch size \(batchSize) is not in 1...65536" }
    if let budget = timeBudgetSeconds, !(budget > 0) {
      return "time budget \(budget) s is not positive"
    }
    if calibrationSampleCount < 0 {
      return "calibration sample count \(calibrationSampleCount) is negative"
    }
    if !(0...27).contains(maxShift) { return "augmentation shift \(maxShift) is not in 0...27" }
    return nil
  }
}
