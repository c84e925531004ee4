import Foundation

/// Logs training metrics to a TensorBoard event file.
///
/// Tags, all at the global training step: `train/loss`, `train/accuracy` and
/// `optimizer/learning_rate` every `stepInterval` steps and at each epoch end; `val/loss` and
/// `val/accuracy` at each epoch end; `<split>/loss` and `<split>/accuracy` after an evaluation
/// (for example `test/loss`). Accuracies are fractions in `[0, 1]`. The file is flushed at each
/// epoch and evaluation end and closed at the run end.
public final class TensorBoardObserver: TrainingObserver {
  /// The event file writer.
  public let writer: EventFileWriter
  private let stepInterval: Int
  private var lastTrainingStep = -1

  /// Creates an observer that writes through `writer`.
  /// - Parameters:
  ///   - writer: an open event file writer.
  ///   - stepInterval: global steps between training scalars; default 1 (every step).
  /// - Precondition: `stepInterval` is at least 1.
  public init(writer: EventFileWriter, stepInterval: Int = 1) {
    precondition(stepInterval >= 1, "stepInterval must be at least 1, got \(stepInterval)")
    self.writer = writer
    self.stepInterval = stepInterval
  }

  /// Creates an observer with a new event file in `directory`.
  /// - Parameters:
  ///   - directory: the run's log directory, created if missing.
  ///   - stepInterval: global steps between training scalars; default 1.
  /// - Throws: ``TrainingError/io(path:operation:reason:)`` if the file cannot be created.
  public convenience init(directory: URL, stepInterval: Int = 1) throws(TrainingError) {
    self.init(writer: try EventFileWriter(directory: directory), stepInterval: stepInterval)
  }

  /// Writes the training scalars every `stepInterval` global steps.
  /// - Parameter event: the step.
  /// - Throws: ``TrainingError/io(path:operation:reason:)`` if writing fails.
  public func stepDidEnd(_ event: StepEnd) throws(TrainingError) {
    guard event.globalStep % stepInterval == 0 else { return }
    try writeTraining(
      LossAndAccuracy(loss: event.loss, accuracy: event.accuracy),
      learningRate: event.learningRate, step: event.globalStep)
  }

  /// Writes the epoch's training scalars (unless already written at this step) and validation
  /// scalars, then flushes.
  /// - Parameter event: the epoch.
  /// - Throws: ``TrainingError/io(path:operation:reason:)`` if writing fails.
  public func epochDidEnd(_ event: EpochEnd) throws(TrainingError) {
    if lastTrainingStep != event.globalStep {
      try writeTraining(event.training, learningRate: event.learningRate, step: event.globalStep)
    }
    if let validation = event.validation {
      try writer.addScalar("val/loss", value: Float(validation.loss), step: event.globalStep)
      try writer.addScalar(
        "val/accuracy", value: Float(validation.accuracy), step: event.globalStep)
    }
    try writer.flush()
  }

  /// Writes `<split>/loss` and `<split>/accuracy`, then flushes.
  /// - Parameter event: the evaluation.
  /// - Throws: ``TrainingError/io(path:operation:reason:)`` if writing fails.
  public func evaluationDidEnd(_ event: EvaluationEnd) throws(TrainingError) {
    try writer.addScalar(
      event.split + "/loss", value: Float(event.metrics.loss), step: event.globalStep)
    try writer.addScalar(
      event.split + "/accuracy", value: Float(event.metrics.accuracy), step: event.globalStep)
    try writer.flush()
  }

  /// Closes the event file.
  /// - Parameter event: the run end.
  /// - Throws: ``TrainingError/io(path:operation:reason:)`` if the final write fails.
  public func runDidEnd(_ event: RunEnd) throws(TrainingError) {
    try writer.close()
  }

  private func writeTraining(
    _ metrics: LossAndAccuracy, learningRate: Double, step: Int
  ) throws(TrainingError) {
    try writer.addScalar("train/loss", value: Float(metrics.loss), step: step)
    try writer.addScalar("train/accuracy", value: Float(metrics.accuracy), step: step)
    try writer.addScalar("optimizer/learning_rate", value: Float(learningRate), step: step)
    lastTrainingStep = step
  }
}
