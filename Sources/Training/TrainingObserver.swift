/// Receives the events of a training run: the hook for progress output, logs and reports.
///
/// The trainer calls these in order: ``runDidStart(_:)`` once, then per epoch
/// ``stepDidEnd(_:)`` after every step and ``epochDidEnd(_:)``, ``evaluationDidEnd(_:)`` after
/// any evaluation outside the epoch loop, and ``runDidEnd(_:)`` once. Every method has an empty
/// default, so an observer implements only what it needs. Errors (such as a full disk) end the
/// run.
public protocol TrainingObserver: AnyObject {
  /// Called once before the first step.
  /// - Parameter event: the run's size and settings.
  /// - Throws: ``TrainingError`` if the observer cannot record the event.
  func runDidStart(_ event: RunStart) throws(TrainingError)

  /// Called after each training step.
  /// - Parameter event: the step's position, running metrics and timing.
  /// - Throws: ``TrainingError`` if the observer cannot record the event.
  func stepDidEnd(_ event: StepEnd) throws(TrainingError)

  /// Called after each epoch, once validation (if any) is done.
  /// - Parameter event: the epoch's training and validation metrics.
  /// - Throws: ``TrainingError`` if the observer cannot record the event.
  func epochDidEnd(_ event: EpochEnd) throws(TrainingError)

  /// Called after an evaluation of a data split outside the epoch loop, such as the test set.
  /// - Parameter event: the split's metrics.
  /// - Throws: ``TrainingError`` if the observer cannot record the event.
  func evaluationDidEnd(_ event: EvaluationEnd) throws(TrainingError)

  /// Called once after the last epoch, or when the run stops early.
  /// - Parameter event: the run's totals.
  /// - Throws: ``TrainingError`` if the observer cannot record the event.
  func runDidEnd(_ event: RunEnd) throws(TrainingError)
}

extension TrainingObserver {
  /// Does nothing.
  public func runDidStart(_ event: RunStart) throws(TrainingError) {}
  /// Does nothing.
  public func stepDidEnd(_ event: StepEnd) throws(TrainingError) {}
  /// Does nothing.
  public func epochDidEnd(_ event: EpochEnd) throws(TrainingError) {}
  /// Does nothing.
  public func evaluationDidEnd(_ event: EvaluationEnd) throws(TrainingError) {}
  /// Does nothing.
  public func runDidEnd(_ event: RunEnd) throws(TrainingError) {}
}

// MARK: - Event payloads

/// The start of a run: its size and the settings to show once.
public struct RunStart: Sendable, Equatable {
  /// The number of epochs the run will train.
  public var epochCount: Int
  /// Training steps (batches) per epoch.
  public var stepsPerEpoch: Int
  /// Samples per batch.
  public var batchSize: Int
  /// The global step before the first step of this run (non-zero when resuming).
  public var initialStep: Int
  /// Settings as ordered name–value pairs, such as `("optimizer", "RMSprop")`.
  public var settings: [Setting]

  /// One named setting.
  public struct Setting: Sendable, Equatable {
    /// The setting's name, such as `learning rate`.
    public var name: String
    /// The value as shown to users, such as `1.00e-03`.
    public var value: String

    /// Creates a setting.
    /// - Parameters:
    ///   - name: the setting's name.
    ///   - value: its value as text.
    public init(name: String, value: String) {
      self.name = name
      self.value = value
    }
  }

  /// Creates a run-start event.
  /// - Parameters:
  ///   - epochCount: epochs to train, at least 1.
  ///   - stepsPerEpoch: batches per epoch, at least 1.
  ///   - batchSize: samples per batch, at least 1.
  ///   - initialStep: the global step already done; default 0.
  ///   - settings: ordered settings; default none.
  public init(
    epochCount: Int, stepsPerEpoch: Int, batchSize: Int, initialStep: Int = 0,
    settings: [Setting] = []
  ) {
    self.epochCount = epochCount
    self.stepsPerEpoch = stepsPerEpoch
    self.batchSize = batchSize
    self.initialStep = initialStep
    self.settings = settings
  }
}

/// The end of one training step.
///
/// `loss` and `accuracy` are running means over the epoch so far, weighted by batch size, as
/// Keras reports them.
public struct StepEnd: Sendable, Equatable {
  /// The epoch, counting from 1.
  public var epoch: Int
  /// The number of epochs in the run.
  public var epochCount: Int
  /// The step within the epoch, counting from 1.
  public var step: Int
  /// Steps per epoch.
  public var stepsPerEpoch: Int
  /// Steps done since the start of training, including this one (the TensorBoard step).
  public var globalStep: Int
  /// The mean loss over the epoch so far.
  public var loss: Double
  /// The fraction of samples classified correctly over the epoch so far, in `[0, 1]`.
  public var accuracy: Double
  /// The learning rate used for this step.
  public var learningRate: Double
  /// Samples processed in this epoch so far, including this step's batch.
  public var epochSampleCount: Int
  /// Seconds since the epoch's first step started.
  public var epochElapsedSeconds: Double

  /// Creates a step-end event.
  /// - Parameters:
  ///   - epoch: the epoch, from 1.
  ///   - epochCount: epochs in the run.
  ///   - step: the step within the epoch, from 1.
  ///   - stepsPerEpoch: steps per epoch.
  ///   - globalStep: steps since the start of training, including this one.
  ///   - loss: the mean loss over the epoch so far.
  ///   - accuracy: the fraction correct over the epoch so far.
  ///   - learningRate: the step's learning rate.
  ///   - epochSampleCount: samples seen in this epoch so far.
  ///   - epochElapsedSeconds: seconds since the epoch started.
  public init(
    epoch: Int, epochCount: Int, step: Int, stepsPerEpoch: Int, globalStep: Int, loss: Double,
    accuracy: Double, learningRate: Double, epochSampleCount: Int, epochElapsedSeconds: Double
  ) {
    self.epoch = epoch
    self.epochCount = epochCount
    self.step = step
    self.stepsPerEpoch = stepsPerEpoch
    self.globalStep = globalStep
    self.loss = loss
    self.accuracy = accuracy
    self.learningRate = learningRate
    self.epochSampleCount = epochSampleCount
    self.epochElapsedSeconds = epochElapsedSeconds
  }
}

/// A loss and an accuracy measured over a set of samples.
public struct LossAndAccuracy: Sendable, Equatable {
  /// The mean loss.
  public var loss: Double
  /// The fraction classified correctly, in `[0, 1]`.
  public var accuracy: Double

  /// Creates a measurement.
  /// - Parameters:
  ///   - loss: the mean loss.
  ///   - accuracy: the fraction correct.
  public init(loss: Double, accuracy: Double) {
    self.loss = loss
    self.accuracy = accuracy
  }
}

/// The end of one epoch, after validation.
public struct EpochEnd: Sendable, Equatable {
  /// The epoch, counting from 1.
  public var epoch: Int
  /// The number of epochs in the run.
  public var epochCount: Int
  /// Steps done since the start of training, at the end of this epoch.
  public var globalStep: Int
  /// Steps in this epoch.
  public var stepCount: Int
  /// Samples trained on in this epoch.
  public var sampleCount: Int
  /// The epoch's training metrics (running means at its last step).
  public var training: LossAndAccuracy
  /// The validation metrics, or `nil` when the run has no validation split.
  public var validation: LossAndAccuracy?
  /// The learning rate at the end of the epoch.
  public var learningRate: Double
  /// Seconds spent training in this epoch, validation excluded.
  public var elapsedSeconds: Double

  /// Creates an epoch-end event.
  /// - Parameters:
  ///   - epoch: the epoch, from 1.
  ///   - epochCount: epochs in the run.
  ///   - globalStep: steps since the start of training.
  ///   - stepCount: steps in this epoch.
  ///   - sampleCount: samples trained on in this epoch.
  ///   - training: the training loss and accuracy.
  ///   - validation: the validation loss and accuracy, if any.
  ///   - learningRate: the learning rate at the end of the epoch.
  ///   - elapsedSeconds: training seconds in this epoch.
  public init(
    epoch: Int, epochCount: Int, globalStep: Int, stepCount: Int, sampleCount: Int,
    training: LossAndAccuracy, validation: LossAndAccuracy?, learningRate: Double,
    elapsedSeconds: Double
  ) {
    self.epoch = epoch
    self.epochCount = epochCount
    self.globalStep = globalStep
    self.stepCount = stepCount
    self.sampleCount = sampleCount
    self.training = training
    self.validation = validation
    self.learningRate = learningRate
    self.elapsedSeconds = elapsedSeconds
  }
}

/// The end of an evaluation of one data split outside the epoch loop.
public struct EvaluationEnd: Sendable, Equatable {
  /// The split's name, such as `test`; also the TensorBoard tag prefix.
  public var split: String
  /// The global training step of the evaluated weights.
  public var globalStep: Int
  /// The split's loss and accuracy.
  public var metrics: LossAndAccuracy
  /// Samples evaluated.
  public var sampleCount: Int
  /// Seconds the evaluation took.
  public var elapsedSeconds: Double
  /// The per-class report, when the evaluator computed one.
  public var report: ClassificationReport?

  /// Creates an evaluation-end event.
  /// - Parameters:
  ///   - split: the split's name, such as `test`.
  ///   - globalStep: the global step of the evaluated weights.
  ///   - metrics: the loss and accuracy.
  ///   - sampleCount: samples evaluated.
  ///   - elapsedSeconds: seconds taken.
  ///   - report: the per-class report; default `nil`.
  public init(
    split: String, globalStep: Int, metrics: LossAndAccuracy, sampleCount: Int,
    elapsedSeconds: Double, report: ClassificationReport? = nil
  ) {
    self.split = split
    self.globalStep = globalStep
    self.metrics = metrics
    self.sampleCount = sampleCount
    self.elapsedSeconds = elapsedSeconds
    self.report = report
  }
}

/// The end of a run.
public struct RunEnd: Sendable, Equatable {
  /// Epochs completed.
  public var epochsCompleted: Int
  /// The global step at the end.
  public var globalStep: Int
  /// Seconds since the run started.
  public var elapsedSeconds: Double

  /// Creates a run-end event.
  /// - Parameters:
  ///   - epochsCompleted: epochs completed.
  ///   - globalStep: the final global step.
  ///   - elapsedSeconds: seconds since the run started.
  public init(epochsCompleted: Int, globalStep: Int, elapsedSeconds: Double) {
    self.epochsCompleted = epochsCompleted
    self.globalStep = globalStep
    self.elapsedSeconds = elapsedSeconds
  }
}
