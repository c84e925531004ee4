/// Shows training progress like Keras `verbose=1`, through a text sink the program supplies.
///
/// On a terminal the step line (with a bar) is redrawn in place with a carriage return and an
/// erase-line escape, at most once per `redrawInterval` seconds of epoch time, and each epoch
/// ends with its summary on a line of its own. Elsewhere (a log file, a pipe) a plain step line
/// is written every `logEvery` steps, then the epoch summary. The library never prints: all text
/// goes to `write`.
public final class ProgressDisplay: TrainingObserver {
  private let isTerminal: Bool
  private let logEvery: Int
  private let barWidth: Int
  private let redrawInterval: Double
  private let write: (String) -> Void
  private var lastRedrawSeconds = -Double.infinity
  private var hasOpenLine = false

  /// The terminal control that returns to the start of the line and erases it.
  public static let clearLine = "\r\u{1B}[2K"

  /// Creates a display.
  /// - Parameters:
  ///   - isTerminal: whether the sink is a terminal (`isatty`), which enables redrawing.
  ///   - logEvery: steps between plain lines when not a terminal; default 100.
  ///   - barWidth: bar cells on a terminal; default 20.
  ///   - redrawInterval: minimum seconds between terminal redraws; default 0.1.
  ///   - write: receives the text, newlines included; typically writes to stderr.
  /// - Precondition: `logEvery` and `barWidth` are at least 1.
  public init(
    isTerminal: Bool, logEvery: Int = 100, barWidth: Int = 20, redrawInterval: Double = 0.1,
    write: @escaping (String) -> Void
  ) {
    precondition(logEvery >= 1, "logEvery must be at least 1, got \(logEvery)")
    precondition(barWidth >= 1, "barWidth must be at least 1, got \(barWidth)")
    self.isTerminal = isTerminal
    self.logEvery = logEvery
    self.barWidth = barWidth
    self.redrawInterval = redrawInterval
    self.write = write
  }

  /// Writes the settings table.
  /// - Parameter event: the run start.
  public func runDidStart(_ event: RunStart) {
    write(ProgressFormatter.settingsBlock(event))
  }

  /// Redraws the step line on a terminal, or writes it every `logEvery` steps elsewhere.
  /// - Parameter event: the step.
  public func stepDidEnd(_ event: StepEnd) {
    if isTerminal {
      if event.step == 1 { lastRedrawSeconds = -.infinity }
      let isLast = event.step == event.stepsPerEpoch
      guard isLast || event.epochElapsedSeconds - lastRedrawSeconds >= redrawInterval else {
        return
      }
      lastRedrawSeconds = event.epochElapsedSeconds
      write(Self.clearLine + ProgressFormatter.stepLine(event, barWidth: barWidth))
      hasOpenLine = true
    } else if event.step % logEvery == 0 {
      write(ProgressFormatter.stepLine(event) + "\n")
    }
  }

  /// Writes the epoch summary, replacing the step line on a terminal.
  /// - Parameter event: the epoch.
  public func epochDidEnd(_ event: EpochEnd) {
    writeLine(ProgressFormatter.epochLine(event))
  }

  /// Writes the evaluation summary.
  /// - Parameter event: the evaluation.
  public func evaluationDidEnd(_ event: EvaluationEnd) {
    writeLine(ProgressFormatter.evaluationLine(event))
  }

  /// Ends any open step line.
  /// - Parameter event: the run end.
  public func runDidEnd(_ event: RunEnd) {
    if hasOpenLine {
      write("\n")
      hasOpenLine = false
    }
  }

  private func writeLine(_ line: String) {
    write((hasOpenLine ? Self.clearLine : "") + line + "\n")
    hasOpenLine = false
  }
}
