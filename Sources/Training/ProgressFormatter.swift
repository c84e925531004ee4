import Foundation

/// Formats the text of training progress: step lines, epoch summaries, settings and durations.
///
/// Pure functions of their inputs, so the exact text is testable; ``ProgressDisplay`` decides
/// when to write it. Fields are separated by ` | ` and counts are padded to the width of their
/// total, for example (one line):
/// ```
/// epoch  2/10 | step  340/1560 | loss 0.4821 | acc 87.9% | lr 1.00e-03 | 4.1 ms/step
///   | 7800 img/s | ETA 5:02
/// ```
public enum ProgressFormatter {
  /// Returns the progress line for a step.
  /// - Parameters:
  ///   - event: the step.
  ///   - barWidth: the width of a `[===>....]` bar drawn after the step count; `nil` (the
  ///     default) draws none.
  /// - Returns: one line without a newline.
  public static func stepLine(_ event: StepEnd, barWidth: Int? = nil) -> String {
    let stepsLeft = event.stepsPerEpoch - event.step
    let secondsPerStep = event.step > 0 ? event.epochElapsedSeconds / Double(event.step) : 0
    var step = "step " + counter(event.step, of: event.stepsPerEpoch)
    if let barWidth {
      step += " " + bar(done: event.step, total: event.stepsPerEpoch, width: barWidth)
    }
    return [
      "epoch " + counter(event.epoch, of: event.epochCount), step,
      metrics(loss: event.loss, accuracy: event.accuracy, prefix: ""),
      "lr " + learningRate(event.learningRate),
      speed(seconds: event.epochElapsedSeconds, steps: event.step, samples: event.epochSampleCount),
      "ETA " + duration(secondsPerStep * Double(stepsLeft)),
    ].joined(separator: " | ")
  }

  /// Returns the summary line of an epoch, with validation metrics when there are any.
  ///
  /// `epoch  2/10 | 1560 steps | 12s | loss 0.4821 | acc 87.9% | val_loss 0.3012 | val_acc 91.2%
  /// | lr 1.00e-03 | 7.7 ms/step | 4150 img/s` (one line).
  /// - Parameter event: the epoch.
  /// - Returns: one line without a newline.
  public static func epochLine(_ event: EpochEnd) -> String {
    var fields = [
      "epoch " + counter(event.epoch, of: event.epochCount), "\(event.stepCount) steps",
      duration(event.elapsedSeconds),
      metrics(loss: event.training.loss, accuracy: event.training.accuracy, prefix: ""),
    ]
    if let validation = event.validation {
      fields.append(metrics(loss: validation.loss, accuracy: validation.accuracy, prefix: "val_"))
    }
    fields.append("lr " + learningRate(event.learningRate))
    fields.append(
      speed(seconds: event.elapsedSeconds, steps: event.stepCount, samples: event.sampleCount))
    return fields.joined(separator: " | ")
  }

  /// Returns the summary line of an evaluation.
  ///
  /// `test | 10000 samples | loss 0.3012 | acc 91.2% | 2s`.
  /// - Parameter event: the evaluation.
  /// - Returns: one line without a newline.
  public static func evaluationLine(_ event: EvaluationEnd) -> String {
    [
      event.split, "\(event.sampleCount) samples",
      metrics(loss: event.metrics.loss, accuracy: event.metrics.accuracy, prefix: ""),
      duration(event.elapsedSeconds),
    ].joined(separator: " | ")
  }

  /// Returns the settings table shown once at the start of a run.
  ///
  /// One line per setting, the names left-aligned in a column as wide as the longest name.
  /// - Parameter event: the run start.
  /// - Returns: lines ending in newlines; empty when there are no settings.
  public static func settingsBlock(_ event: RunStart) -> String {
    let width = event.settings.map(\.name.count).max() ?? 0
    return event.settings.map { setting in
      setting.name + String(repeating: " ", count: width - setting.name.count) + "  "
        + setting.value + "\n"
    }.joined()
  }

  /// Formats a duration as Keras does: `42s` below a minute, `5:07` below an hour, else `1:02:03`.
  /// - Parameter seconds: a non-negative duration; rounded to whole seconds.
  /// - Returns: the duration as text.
  public static func duration(_ seconds: Double) -> String {
    let total = seconds.isFinite ? max(0, Int(seconds.rounded())) : 0
    let (hours, minutes, rest) = (total / 3600, total / 60 % 60, total % 60)
    if total < 60 { return "\(total)s" }
    if total < 3600 { return String(format: "%d:%02d", minutes, rest) }
    return String(format: "%d:%02d:%02d", hours, minutes, rest)
  }

  /// Draws a progress bar `[=====>......]` of `width` cells between brackets.
  /// - Parameters:
  ///   - done: steps done.
  ///   - total: steps in all, at least 1.
  ///   - width: cells between the brackets, at least 1.
  /// - Returns: the bar, `width + 2` characters.
  public static func bar(done: Int, total: Int, width: Int) -> String {
    precondition(total >= 1 && width >= 1, "bar needs total and width >= 1, got \(total), \(width)")
    let filled = min(width, max(0, done) * width / total)
    if filled == width { return "[" + String(repeating: "=", count: width) + "]" }
    let body = String(repeating: "=", count: max(0, filled - 1)) + (filled > 0 ? ">" : "")
    return "[" + body + String(repeating: ".", count: width - body.count) + "]"
  }

  // MARK: - Fields

  private static func counter(_ value: Int, of total: Int) -> String {
    let text = String(value)
    let width = String(total).count
    return String(repeating: " ", count: max(0, width - text.count)) + text + "/\(total)"
  }

  private static func metrics(loss: Double, accuracy: Double, prefix: String) -> String {
    String(format: "\(prefix)loss %.4f | \(prefix)acc %.1f%%", loss, accuracy * 100)
  }

  private static func learningRate(_ rate: Double) -> String {
    String(format: "%.2e", rate)
  }

  private static func speed(seconds: Double, steps: Int, samples: Int) -> String {
    guard seconds > 0, steps > 0 else { return "- ms/step | - img/s" }
    return String(
      format: "%.1f ms/step | %.0f img/s", seconds * 1000 / Double(steps),
      Double(samples) / seconds)
  }
}
