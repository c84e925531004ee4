import Testing
import TestSupport

@testable import Training

@Suite struct TensorBoardObserverTests {
  struct Point: Equatable, CustomStringConvertible {
    let tag: String
    let step: Int64
    let value: Float
    var description: String { "\(tag)@\(step)=\(value)" }
  }

  static func step(epoch: Int, step: Int) -> StepEnd {
    let global = 3 * (epoch - 1) + step
    return StepEnd(
      epoch: epoch, epochCount: 2, step: step, stepsPerEpoch: 3, globalStep: global,
      loss: 1 / Double(global), accuracy: Double(global) / 10, learningRate: 0.5,
      epochSampleCount: 4 * step, epochElapsedSeconds: Double(step))
  }

  static func epoch(_ epoch: Int) -> EpochEnd {
    EpochEnd(
      epoch: epoch, epochCount: 2, globalStep: 3 * epoch, stepCount: 3, sampleCount: 12,
      training: LossAndAccuracy(loss: 1 / Double(3 * epoch), accuracy: Double(3 * epoch) / 10),
      validation: LossAndAccuracy(loss: 2, accuracy: 0.25 * Double(epoch)), learningRate: 0.5,
      elapsedSeconds: 3)
  }

  @Test func mapsEventsToTagsAtTheGlobalStep() throws {
    let directory = try TemporaryDirectory()
    let writer = try EventFileWriter(
      directory: directory.url, hostname: "h", clock: ManualClock(0).read)
    let observer = TensorBoardObserver(writer: writer, stepInterval: 2)
    for epoch in 1...2 {
      for step in 1...3 { try observer.stepDidEnd(Self.step(epoch: epoch, step: step)) }
      try observer.epochDidEnd(Self.epoch(epoch))
    }
    try observer.evaluationDidEnd(
      EvaluationEnd(
        split: "test", globalStep: 6, metrics: LossAndAccuracy(loss: 0.75, accuracy: 0.875),
        sampleCount: 100, elapsedSeconds: 1))
    try observer.runDidEnd(RunEnd(epochsCompleted: 2, globalStep: 6, elapsedSeconds: 7))

    let points = try EventFileReader.events(at: writer.fileURL).dropFirst().flatMap { event in
      event.scalars.map { Point(tag: $0.tag, step: event.step, value: $0.value) }
    }
    func training(_ step: Int64) -> [Point] {
      [
        Point(tag: "train/loss", step: step, value: Float(1 / Double(step))),
        Point(tag: "train/accuracy", step: step, value: Float(Double(step) / 10)),
        Point(tag: "optimizer/learning_rate", step: step, value: 0.5),
      ]
    }
    // Step 6 ends epoch 2, so its training scalars are not written twice.
    func epochEnd(_ epoch: Int64) -> [Point] {
      [
        Point(tag: "epoch/train_loss", step: epoch, value: Float(1 / Double(3 * epoch))),
        Point(tag: "epoch/train_accuracy", step: epoch, value: Float(Double(3 * epoch) / 10)),
        Point(tag: "val/loss", step: 3 * epoch, value: 2),
        Point(tag: "val/accuracy", step: 3 * epoch, value: Float(0.25 * Double(epoch))),
        Point(tag: "epoch/val_loss", step: epoch, value: 2),
        Point(tag: "epoch/val_accuracy", step: epoch, value: Float(0.25 * Double(epoch))),
      ]
    }
    let expected =
      training(2) + training(3) + epochEnd(1) + training(4) + training(6) + epochEnd(2)
      + [
        Point(tag: "test/loss", step: 6, value: 0.75),
        Point(tag: "test/accuracy", step: 6, value: 0.875),
      ]
    #expect(points == expected)
  }

  @Test func epochEndFlushesSoReadersSeeItBeforeTheRunEnds() throws {
    let directory = try TemporaryDirectory()
    let writer = try EventFileWriter(
      directory: directory.url, hostname: "h", flushThreshold: 1 << 20, flushInterval: .infinity,
      clock: ManualClock(0).read)
    let observer = TensorBoardObserver(writer: writer)
    try observer.stepDidEnd(Self.step(epoch: 1, step: 1))
    #expect(try EventFileReader.events(at: writer.fileURL).count == 1)

    try observer.epochDidEnd(Self.epoch(1))
    // The version record, one step (3 scalars), the epoch's training (3), per-epoch (2),
    // validation (2) and per-epoch validation (2) scalars.
    #expect(try EventFileReader.events(at: writer.fileURL).count == 1 + 3 + 3 + 2 + 2 + 2)
  }
}
