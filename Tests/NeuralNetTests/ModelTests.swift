import Foundation
import TensorCore
import TestSupport
import Testing

@testable import NeuralNet

@Suite struct ModelTests {
  @Test func referenceModelHasTheKerasParameterCounts() throws {
    var generator = SeededGenerator(seed: 1)
    let model = try Model(named: "reference", generator: &generator)
    let summary = model.summary()
    #expect(summary.totalParams == 1_347_306)
    #expect(summary.trainableParams == 1_345_898)
    #expect(summary.nonTrainableParams == 1_408)
  }

  @Test func tinyModelTrainsOneStep() throws {
    var generator = SeededGenerator(seed: 2)
    let model = try Model(named: "tiny", generator: &generator)
    let images = uniformScalars(count: 4 * 784, low: 0, high: 1, generator: &generator)
    let labels: [Int32] = [0, 1, 2, 3]
    let (loss, correct) = try images.withUnsafeBufferPointer { pointer in
      try model.trainStep(images: pointer.baseAddress!, labels: labels, generator: &generator)
    }
    print(loss, correct, model.summaryText())
    #expect(loss > 1.5 && loss < 4)
  }
}
