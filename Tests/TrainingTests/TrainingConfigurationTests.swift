import Foundation
import NeuralNet
import Optimizers
import TensorCore
import TestSupport
import Testing

@testable import Training

@Suite struct TrainingConfigurationTests {
  @Test func settingsSavedBeforePrecisionExistedReadAsFP32() throws {
    let json = """
      {"batchNormStatistics":"keras","batchSize":64,"calibrationSampleCount":2048,\
      "epochCount":3,"maxShift":0,"seed":7}
      """
    let configuration = try JSONDecoder().decode(
      TrainingConfiguration.self, from: Data(json.utf8))

    #expect(configuration.precision == .fp32)
    #expect(configuration.convolutionAlgorithm == .direct, "such runs computed directly")
    #expect(configuration.batchSize == 64)
    #expect(configuration.batchNormStatistics == .keras)
  }

  @Test func newRunsDefaultToWinograd() {
    #expect(TrainingConfiguration().convolutionAlgorithm == .winograd)
  }

  @Test(arguments: ConvolutionAlgorithm.allCases)
  func trainerComputesWithTheRunsConvolutionAlgorithm(algorithm: ConvolutionAlgorithm) throws {
    var generator = SeededGenerator(seed: 4)
    let model = try Model(named: "tiny", generator: &generator)
    model.convolutionAlgorithm = algorithm == .direct ? .winograd : .direct
    var configuration = TrainingConfiguration()
    configuration.convolutionAlgorithm = algorithm
    _ = Trainer(
      model: model, optimizer: RMSprop(), training: TrainerTests.images(), validation: nil,
      configuration: configuration, directory: nil, observers: [])

    #expect(model.convolutionAlgorithm == algorithm)
  }

  @Test func precisionRoundTripsThroughJSON() throws {
    var configuration = TrainingConfiguration()
    configuration.precision = .bf16
    configuration.convolutionAlgorithm = .direct
    configuration.timeBudgetSeconds = 90
    let data = try JSONEncoder().encode(configuration)

    #expect(try JSONDecoder().decode(TrainingConfiguration.self, from: data) == configuration)
  }

  @Test func checkpointRebuildsTheModelInTheRunsPrecision() throws {
    let folder = try TemporaryDirectory()
    var generator = SeededGenerator(seed: 2)
    let model = try Model(named: "tiny", generator: &generator, precision: .bf16)
    var configuration = TrainingConfiguration()
    configuration.precision = .bf16
    let trainer = Trainer(
      model: model, optimizer: RMSprop(), training: TrainerTests.images(), validation: nil,
      configuration: configuration, directory: nil, observers: [])
    let url = folder.file("c.safetensors")
    try Checkpoint.write(
      model: model, optimizer: trainer.optimizer, configuration: configuration,
      progress: trainer.progress, to: url)
    let read = try Checkpoint.read(from: url)

    #expect(read.configuration.precision == .bf16)
    #expect(read.model.precision == .bf16)
  }

  @Test(arguments: [Precision.fp32, .bf16])
  func modelFileIsReadIntoTheAskedPrecision(precision: Precision) throws {
    let folder = try TemporaryDirectory()
    var generator = SeededGenerator(seed: 3)
    let model = try Model(named: "tiny", generator: &generator)
    let url = folder.file("m.safetensors")
    try ModelFile.write(model, to: url)
    let read = try ModelFile.read(from: url, precision: precision).model

    #expect(read.precision == precision)
    #expect(read.parameters[0].kerasValue == model.parameters[0].kerasValue)
  }
}
