import Testing

@testable import Training

/// Collects what a display writes.
final class TextSink {
  var writes: [String] = []

  func write(_ text: String) { writes.append(text) }
}

@Suite struct ProgressDisplayTests {
  /// Step `step` of 5 in epoch 1 of 1, `0.125 · step` seconds in (exact in binary).
  static func step(_ step: Int) -> StepEnd {
    StepEnd(
      epoch: 1, epochCount: 1, step: step, stepsPerEpoch: 5, globalStep: step, loss: 1,
      accuracy: 0.5, learningRate: 0.1, epochSampleCount: 8 * step,
      epochElapsedSeconds: 0.125 * Double(step))
  }

  static let epoch = EpochEnd(
    epoch: 1, epochCount: 1, globalStep: 5, stepCount: 5, sampleCount: 40,
    training: LossAndAccuracy(loss: 1, accuracy: 0.5),
    validation: LossAndAccuracy(loss: 2, accuracy: 0.25), learningRate: 0.1,
    elapsedSeconds: 0.625)

  @Test func terminalRedrawsInPlaceAtMostOncePerIntervalAndAlwaysAtTheEnd() {
    let sink = TextSink()
    let display = ProgressDisplay(
      isTerminal: true, barWidth: 5, redrawInterval: 0.25, write: sink.write)
    for step in 1...5 { display.stepDidEnd(Self.step(step)) }
    display.epochDidEnd(Self.epoch)
    display.runDidEnd(RunEnd(epochsCompleted: 1, globalStep: 5, elapsedSeconds: 1))

    let clear = ProgressDisplay.clearLine
    #expect(
      sink.writes == [
        clear + ProgressFormatter.stepLine(Self.step(1), barWidth: 5),
        clear + ProgressFormatter.stepLine(Self.step(3), barWidth: 5),
        clear + ProgressFormatter.stepLine(Self.step(5), barWidth: 5),
        clear + ProgressFormatter.epochLine(Self.epoch) + "\n",
      ])
    #expect(
      sink.writes[0] == "\r\u{1B}[2Kepoch 1/1 | step 1/5 [>....] | loss 1.0000 | acc 50.0% | "
        + "lr 1.00e-01 | 125.0 ms/step | 64 img/s | ETA 1s")
  }

  @Test func plainOutputWritesEveryNthStepThenTheSummary() {
    let sink = TextSink()
    let display = ProgressDisplay(isTerminal: false, logEvery: 2, write: sink.write)
    for step in 1...5 { display.stepDidEnd(Self.step(step)) }
    display.epochDidEnd(Self.epoch)
    display.runDidEnd(RunEnd(epochsCompleted: 1, globalStep: 5, elapsedSeconds: 1))

    #expect(
      sink.writes == [
        ProgressFormatter.stepLine(Self.step(2)) + "\n",
        ProgressFormatter.stepLine(Self.step(4)) + "\n",
        ProgressFormatter.epochLine(Self.epoch) + "\n",
      ])
  }

  @Test func runEndClosesAnOpenTerminalLine() {
    let sink = TextSink()
    let display = ProgressDisplay(isTerminal: true, write: sink.write)
    display.runDidStart(
      RunStart(
        epochCount: 1, stepsPerEpoch: 5, batchSize: 8, settings: [.init(name: "seed", value: "1")]))
    display.stepDidEnd(Self.step(1))
    display.runDidEnd(RunEnd(epochsCompleted: 0, globalStep: 1, elapsedSeconds: 1))

    #expect(sink.writes.count == 3)
    #expect(sink.writes.first == "seed  1\n")
    #expect(sink.writes.last == "\n")
  }
}
