/// Where a training run stands: everything besides weights and optimizer state that a
/// checkpoint must hold so that a resumed run continues exactly.
public struct TrainingProgress: Codable, Sendable, Equatable {
  /// Epochs finished.
  public var epochsCompleted = 0
  /// Steps done in the epoch in progress; 0 at an epoch boundary.
  public var stepInEpoch = 0
  /// Steps done since the start of training.
  public var globalStep = 0
  /// The shuffling generator's state at the start of the epoch in progress.
  public var shuffleState: [UInt64]
  /// The dropout generator's state after the last step.
  public var dropoutState: [UInt64]
  /// The augmentation generator's state after the last step.
  public var augmentationState: [UInt64]
  /// Sum of per-step mean losses times batch sizes in the epoch in progress.
  public var epochLossSum: Double = 0
  /// Correct predictions in the epoch in progress.
  public var epochCorrect = 0
  /// Samples seen in the epoch in progress.
  public var epochSamples = 0
  /// Training seconds spent in the epoch in progress (for resumed progress lines).
  public var epochSeconds: Double = 0
  /// One record per finished epoch.
  public var history: [EpochRecord] = []
  /// The epoch (1-based) with the best validation accuracy so far, if any.
  public var bestEpoch: Int?
  /// The best validation accuracy so far, if any.
  public var bestValidationAccuracy: Double?
  /// Seconds of training so far, over all sessions of the run.
  public var elapsedSeconds: Double = 0
  /// A digest of the training images and labels, so a resume on other data is refused.
  public var dataFingerprint: String

  /// Creates the progress of a run that has not started.
  /// - Parameters:
  ///   - shuffleState: the shuffling generator's state.
  ///   - dropoutState: the dropout generator's state.
  ///   - augmentationState: the augmentation generator's state.
  ///   - dataFingerprint: the digest of the training data.
  public init(
    shuffleState: [UInt64], dropoutState: [UInt64], augmentationState: [UInt64],
    dataFingerprint: String
  ) {
    self.shuffleState = shuffleState
    self.dropoutState = dropoutState
    self.augmentationState = augmentationState
    self.dataFingerprint = dataFingerprint
  }
}

extension TrainingProgress {
  /// What is wrong with this progress for a run of `epochCount` epochs, or `nil` when it is
  /// consistent (a checkpoint's progress is checked before it is trusted).
  public func problem(epochCount: Int) -> String? {
    let states = [shuffleState, dropoutState, augmentationState]
    if states.contains(where: { $0.count != 4 || $0.allSatisfy { $0 == 0 } }) {
      return "a generator state is not four words, not all zero"
    }
    if !(0...epochCount).contains(epochsCompleted) {
      return "\(epochsCompleted) epochs completed is not in 0...\(epochCount)"
    }
    if stepInEpoch < 0 || globalStep < 0 || epochSamples < 0 || epochCorrect < 0
      || epochCorrect > epochSamples
    {
      return "negative or inconsistent step or sample counts"
    }
    if history.count != epochsCompleted {
      return "\(history.count) epoch records for \(epochsCompleted) completed epochs"
    }
    return nil
  }
}

/// The metrics of one finished epoch.
public struct EpochRecord: Codable, Sendable, Equatable {
  /// The epoch number, from 1.
  public var epoch: Int
  /// Mean training loss over the epoch (cross-entropy plus L2, as Keras reports it).
  public var trainLoss: Double
  /// Training accuracy over the epoch.
  public var trainAccuracy: Double
  /// Validation loss after the epoch, if there is validation data.
  public var validationLoss: Double?
  /// Validation accuracy after the epoch, if there is validation data.
  public var validationAccuracy: Double?
  /// The learning rate at the end of the epoch.
  public var learningRate: Double
  /// Seconds the epoch took, evaluation included.
  public var seconds: Double

  /// Creates an epoch record.
  public init(
    epoch: Int, trainLoss: Double, trainAccuracy: Double, validationLoss: Double?,
    validationAccuracy: Double?, learningRate: Double, seconds: Double
  ) {
    self.epoch = epoch
    self.trainLoss = trainLoss
    self.trainAccuracy = trainAccuracy
    self.validationLoss = validationLoss
    self.validationAccuracy = validationAccuracy
    self.learningRate = learningRate
    self.seconds = seconds
  }
}
