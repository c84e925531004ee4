import Datasets
import Foundation
import NeuralNet
import Optimizers
import TensorCore
import TestSupport
import Testing

@testable import Training

@Suite struct TrainerTests {
  /// Forty images, four per letter: a bright row whose place depends on the letter.
  static func images() -> ImageSet {
    var pixels: [UInt8] = []
    var labels: [UInt8] = []
    for label in 0..<10 {
      for variant in 0..<4 {
        var image = [UInt8](repeating: 0, count: 784)
        for x in 0..<28 { image[(2 + 2 * label) * 28 + x] = 255 }
        image[variant * 29] = 90
        pixels += image
        labels.append(UInt8(label))
      }
    }
    return ImageSet(pixels: pixels, labels: labels, names: labels.indices.map { "i\($0)" })
  }

  static func trainer(
    directory: URL?, progress: TrainingProgress? = nil, model: Model? = nil,
    optimizer: (any Optimizer)? = nil, learningRate: Double = 0.001
  ) throws -> Trainer {
    var configuration = TrainingConfiguration()
    configuration.epochCount = 2
    configuration.batchSize = 8
    configuration.seed = 5
    configuration.maxShift = 1
    var generator = SeededGenerator(seed: 5)
    let images = images()
    return Trainer(
      model: try model ?? Model(named: "tiny", generator: &generator),
      optimizer: optimizer ?? RMSprop(learningRate: .constant(learningRate)),
      training: images, validation: images, configuration: configuration, progress: progress,
      directory: directory, observers: [])
  }

  @Test func resumingMidEpochEndsWithTheSameWeights() throws {
    let straight = try Self.trainer(directory: nil)
    #expect(try straight.fit().stop == .completed)

    let folder = try TemporaryDirectory()
    var steps = 0
    let first = try Self.trainer(directory: folder.url)
    let stopped = try first.fit(shouldStop: {
      steps += 1
      return steps == 3
    })
    #expect(stopped.stop == .interrupted)
    #expect(stopped.progress.stepInEpoch == 3)

    let checkpoint = try Checkpoint.read(from: folder.file(Checkpoint.fileName))
    let resumed = try Self.trainer(
      directory: folder.url, progress: checkpoint.progress, model: checkpoint.model,
      optimizer: checkpoint.optimizer)
    let outcome = try resumed.fit()
    #expect(outcome.stop == .completed)
    #expect(outcome.progress.globalStep == straight.progress.globalStep)
    for (a, b) in zip(straight.model.parameters, resumed.model.parameters) {
      #expect(a.kerasValue == b.kerasValue, "\(a.name) differs")
    }
  }

  /// Batches prepared one step ahead on another thread are the batches of a plain loop that
  /// prepares each just before its step: two epochs of 40 images in batches of 8 with random
  /// shifts end with bit-identical weights and moving statistics.
  @Test func prefetchedBatchesAreThoseOfAPlainLoop() throws {
    let trainer = try Self.trainer(directory: nil)
    let configuration = trainer.configuration
    var generator = SeededGenerator(seed: 5)
    let model = try Model(named: "tiny", generator: &generator)
    model.convolutionAlgorithm = configuration.convolutionAlgorithm
    let optimizer = RMSprop(learningRate: .constant(0.001))
    let images = Self.images()
    var streams = SeededGenerator(seed: configuration.seed)
    var shuffle = streams.split()
    var dropout = streams.split()
    var augmentation = streams.split()
    var batch = [Float](repeating: 0, count: 8 * 784)
    for _ in 0..<configuration.epochCount {
      let order = images.shuffledIndices(using: &shuffle)
      for start in stride(from: 0, to: order.count, by: 8) {
        let indices = order[start..<min(start + 8, order.count)]
        batch.withUnsafeMutableBufferPointer {
          images.writeShiftedBatch(
            indices: indices, into: $0, maxShift: configuration.maxShift, using: &augmentation)
        }
        let labels = indices.map { Int32(images.labels[$0]) }
        _ = try batch.withUnsafeBufferPointer {
          try model.trainStep(images: $0.baseAddress!, labels: labels, generator: &dropout)
        }
        optimizer.update(model.parameters)
      }
    }
    // The trainer's own batch-norm recalibration after each epoch changes only the moving
    // statistics, so compare those with it turned off.
    var keras = configuration
    keras.batchNormStatistics = .keras
    var trainerGenerator = SeededGenerator(seed: 5)
    let prefetching = Trainer(
      model: try Model(named: "tiny", generator: &trainerGenerator),
      optimizer: RMSprop(learningRate: .constant(0.001)), training: images, validation: nil,
      configuration: keras, directory: nil, observers: [])
    #expect(try prefetching.fit().stop == .completed)

    for (a, b) in zip(prefetching.model.parameters, model.parameters) {
      #expect(a.kerasValue == b.kerasValue, "\(a.name) differs")
    }
  }

  @Test func divergingLossStopsWithAClearError() throws {
    let trainer = try Self.trainer(directory: nil, learningRate: 1e30)
    #expect {
      try trainer.fit()
    } throws: { error in
      guard case .diverged = error as? TrainingError else { return false }
      return (error as? TrainingError)?.description.contains("lower --learning-rate") == true
    }
  }

  @Test func nonFiniteHistoryRoundTripsThroughTheCheckpoint() throws {
    let folder = try TemporaryDirectory()
    let trainer = try Self.trainer(directory: nil)
    var progress = trainer.progress
    progress.epochsCompleted = 1
    progress.history = [
      EpochRecord(
        epoch: 1, trainLoss: .nan, trainAccuracy: 0.5, validationLoss: .infinity,
        validationAccuracy: nil, learningRate: 0.001, seconds: 1)
    ]
    let url = folder.file("c.safetensors")
    try Checkpoint.write(
      model: trainer.model, optimizer: trainer.optimizer, configuration: trainer.configuration,
      progress: progress, to: url)
    let read = try Checkpoint.read(from: url)
    #expect(read.progress.history[0].trainLoss.isNaN)
    #expect(read.progress.history[0].validationLoss == .infinity)
  }

  @Test func checkpointWithImpossibleSettingsIsRefusedByName() throws {
    let folder = try TemporaryDirectory()
    let trainer = try Self.trainer(directory: nil)
    let url = folder.file("c.safetensors")
    try Checkpoint.write(
      model: trainer.model, optimizer: trainer.optimizer, configuration: trainer.configuration,
      progress: trainer.progress, to: url)
    var contents = try Safetensors.read(from: url)
    var configuration = trainer.configuration
    configuration.batchSize = 0
    contents.metadata["configuration"] = String(
      decoding: try JSONEncoder().encode(configuration), as: UTF8.self)
    try Safetensors.write(contents.tensors, metadata: contents.metadata, to: url)

    #expect(
      throws: TrainingError.incompatibleFile(
        path: url.path, problem: "batch size 0 is not in 1...65536")
    ) {
      try Checkpoint.read(from: url)
    }
  }
}
