import Foundation

/// Logs training metrics to a TensorBoard event file.
///
/// Tags, all at the global training step: `train/loss`, `train/accuracy` and
/// `optimizer/learning_rate` every `stepInterval` steps and at each epoch end; `val/loss` and
/// `val/accuracy` at each epoch end; `<split>/loss` and `<split>/accuracy` after an evaluation
/// (for example `test/loss`). Per-epoch values also go to `epoch/train_loss`,
/// `epoch/train_accuracy`, `epoch/val_loss` and `epoch/val_accuracy` at the epoch number, so
/// TensorBoard can chart them against epochs as Keras's `epoch_loss` charts do. Training
/// scalars at each step are the running means over the epoch so far, as Keras's progress bar
/// shows them. Accuracies are fractions in `[0, 1]`. The file is flushed at each epoch and
/// evaluation end and at the run end, and closed by ``close()`` or when the observer is freed.
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
    try writer.addScalar("epoch/train_loss", value: Float(event.training.loss), step: event.epoch)
    try writer.addScalar(
      "epoch/train_accuracy", value: Float(event.training.accuracy), step: event.epoch)
    if let validation = event.validation {
      try writer.addScalar("val/loss", value: Float(validation.loss), step: event.globalStep)
      try writer.addScalar(
        "val/accuracy", value: Float(validation.accuracy), step: event.globalStep)
      try writer.addScalar("epoch/val_loss", value: Float(validation.loss), step: event.epoch)
      try writer.addScalar(
        "epoch/val_accuracy", value: Float(validation.accuracy), step: event.epoch)
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

  /// Flushes the event file; evaluations after the run can still be written.
  /// - Parameter event: the run end.
  /// - Throws: ``TrainingError/io(path:operation:reason:)`` if the write fails.
  public func runDidEnd(_ event: RunEnd) throws(TrainingError) {
    try writer.flush()
  }

  /// Flushes and closes the event file.
  /// - Throws: ``TrainingError/io(path:operation:reason:)`` if the final write fails.
  public func close() throws(TrainingError) {
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
