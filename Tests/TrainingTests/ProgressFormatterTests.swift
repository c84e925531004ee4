import Testing

@testable import Training

@Suite struct ProgressFormatterTests {
  /// Step 340 of 1560 in epoch 2 of 10, at 4.1 ms per step with batches of 32.
  static let step = StepEnd(
    epoch: 2, epochCount: 10, step: 340, stepsPerEpoch: 1560, globalStep: 1900, loss: 0.48214,
    accuracy: 0.8789, learningRate: 0.001, epochSampleCount: 10_880, epochElapsedSeconds: 1.394)

  @Test func stepLineHasStyleGuideFieldsAndETA() {
    // 1.394 s / 340 steps = 4.1 ms; 10880 / 1.394 = 7805 img/s; 1220 steps left × 4.1 ms = 5 s.
    #expect(
      ProgressFormatter.stepLine(Self.step)
        == "epoch  2/10 | step  340/1560 | loss 0.4821 | acc 87.9% | lr 1.00e-03 | 4.1 ms/step | "
        + "7805 img/s | ETA 5s")
  }

  @Test func stepLineOnATerminalCarriesABar() {
    #expect(
      ProgressFormatter.stepLine(Self.step, barWidth: 10)
        == "epoch  2/10 | step  340/1560 [=>........] | loss 0.4821 | acc 87.9% | lr 1.00e-03 | "
        + "4.1 ms/step | 7805 img/s | ETA 5s")
  }

  @Test func epochLineShowsValidationWhenPresent() {
    let epoch = EpochEnd(
      epoch: 10, epochCount: 10, globalStep: 15_600, stepCount: 1560, sampleCount: 49_920,
      training: LossAndAccuracy(loss: 0.25, accuracy: 0.9125),
      validation: LossAndAccuracy(loss: 0.30125, accuracy: 0.9),
      learningRate: 0.00025, elapsedSeconds: 12.48)

    #expect(
      ProgressFormatter.epochLine(epoch)
        == "epoch 10/10 | 1560 steps | 12s | loss 0.2500 | acc 91.2% | val_loss 0.3013 | "
        + "val_acc 90.0% | lr 2.50e-04 | 8.0 ms/step | 4000 img/s")
  }

  @Test func epochLineWithoutValidationOrTimeOmitsThem() {
    let epoch = EpochEnd(
      epoch: 1, epochCount: 3, globalStep: 5, stepCount: 5, sampleCount: 40,
      training: LossAndAccuracy(loss: 2.302585, accuracy: 0.1), validation: nil,
      learningRate: 0.01, elapsedSeconds: 0)

    #expect(
      ProgressFormatter.epochLine(epoch)
        == "epoch 1/3 | 5 steps | 0s | loss 2.3026 | acc 10.0% | lr 1.00e-02 | - ms/step | - img/s")
  }

  @Test func evaluationLineNamesTheSplit() {
    let event = EvaluationEnd(
      split: "test", globalStep: 100, metrics: LossAndAccuracy(loss: 0.5, accuracy: 0.875),
      sampleCount: 10_000, elapsedSeconds: 65)

    #expect(
      ProgressFormatter.evaluationLine(event)
        == "test | 10000 samples | loss 0.5000 | acc 87.5% | 1:05")
  }

  @Test func settingsBlockAlignsValues() {
    let event = RunStart(
      epochCount: 10, stepsPerEpoch: 100, batchSize: 32,
      settings: [.init(name: "optimizer", value: "RMSprop"), .init(name: "seed", value: "42")])

    #expect(ProgressFormatter.settingsBlock(event) == "optimizer  RMSprop\nseed       42\n")
  }

  struct DurationCase: Sendable, CustomStringConvertible {
    let seconds: Double
    let text: String
    var description: String { "\(seconds) s" }
  }

  @Test(arguments: [
    DurationCase(seconds: 0, text: "0s"), DurationCase(seconds: 59.4, text: "59s"),
    DurationCase(seconds: 59.6, text: "1:00"), DurationCase(seconds: 307, text: "5:07"),
    DurationCase(seconds: 3599, text: "59:59"), DurationCase(seconds: 3600, text: "1:00:00"),
    DurationCase(seconds: 3723, text: "1:02:03"), DurationCase(seconds: 90_000, text: "25:00:00"),
    DurationCase(seconds: -3, text: "0s"), DurationCase(seconds: .nan, text: "0s"),
  ])
  func durationFormatsLikeKeras(_ durationCase: DurationCase) {
    #expect(ProgressFormatter.duration(durationCase.seconds) == durationCase.text)
  }

  struct BarCase: Sendable, CustomStringConvertible {
    let done: Int
    let total: Int
    let bar: String
    var description: String { "\(done)/\(total)" }
  }

  @Test(arguments: [
    BarCase(done: 0, total: 10, bar: "[.....]"), BarCase(done: 1, total: 10, bar: "[.....]"),
    BarCase(done: 2, total: 10, bar: "[>....]"), BarCase(done: 9, total: 10, bar: "[===>.]"),
    BarCase(done: 10, total: 10, bar: "[=====]"), BarCase(done: 12, total: 10, bar: "[=====]"),
  ])
  func barFillsInProportion(_ barCase: BarCase) {
    #expect(
      ProgressFormatter.bar(done: barCase.done, total: barCase.total, width: 5) == barCase.bar)
  }
}
