import Foundation
import NeuralNet
import Optimizers
import TensorCore
import TestSupport
import Testing

@testable import KerasInterop

@Suite struct KerasModelFileTests {
  @Test func readsTheKerasSavedModelWithItsLayersInOrder() throws {
    let model = try KerasModelFile.read(from: KerasFixtures.tinyModel)
    #expect(model.architecture.name == "tiny_keras")
    #expect(
      model.architecture.layers.map(\.name) == [
        "input_layer", "conv2d", "batch_normalization", "activation", "max_pooling2d",
        "conv2d_1", "batch_normalization_1", "activation_1", "max_pooling2d_1", "concatenate",
        "flatten", "dense", "dense_1",
      ])
    #expect(model.inputShape == [8, 8, 1])
    #expect(
      model.architecture.layers[1].kind
        == .conv2D(
          filters: 3, kernelSize: [3, 3], strides: [1, 1], padding: .same, useBias: false,
          kernelL2: 4e-5))
    #expect(
      model.architecture.layers[11].kind
        == .dense(units: 6, activation: .relu, useBias: true, kernelL2: 1e-3))
    #expect(model.parameters.count == 14)
  }

  @Test func inferenceMatchesKerasWithinOneHundredThousandth() throws {
    let model = try KerasModelFile.read(from: KerasFixtures.tinyModel)
    let step = try KerasFixtures.step()
    let probabilities = try step.images.values.withUnsafeBufferPointer { pointer in
      try model.predict(images: pointer.baseAddress!, count: step.images.shape[0])
    }
    expectClose(probabilities.scalars, step.inferenceProbabilities, rtol: 0, atol: 1e-5)
    #expect(argmax(probabilities.scalars) == argmax(step.inferenceProbabilities))
  }

  /// One training step from the file's weights agrees with Keras.
  ///
  /// Keras ran `model(x, training=True)` (batch statistics; the model has no dropout), the
  /// cross-entropy plus L2, and `RMSprop().apply`. Tolerances: 1e-5 on the loss, 1e-6 on every
  /// updated weight and moving statistic.
  @Test func oneTrainingStepMatchesKeras() throws {
    let model = try KerasModelFile.read(from: KerasFixtures.tinyModel)
    let step = try KerasFixtures.step()
    var generator = SeededGenerator(seed: 1)
    let (loss, _) = try step.images.values.withUnsafeBufferPointer { pointer in
      try model.trainStep(
        images: pointer.baseAddress!, labels: step.labels, generator: &generator)
    }
    RMSprop().update(model.parameters)

    #expect(abs(loss - step.trainingLoss) <= 1e-5, "loss \(loss) vs Keras \(step.trainingLoss)")
    #expect(Set(model.parameters.map(\.name)) == Set(step.updatedWeights.keys))
    for parameter in model.parameters {
      expectClose(
        parameter.kerasValue.scalars, step.updatedWeights[parameter.name] ?? [], rtol: 0,
        atol: 1e-6, "\(parameter.name)")
    }
  }

  @Test func writtenFileReadsBackWithTheSameLayersAndWeights() throws {
    let directory = try TemporaryDirectory()
    let original = try KerasModelFile.read(from: KerasFixtures.tinyModel)
    let url = directory.file("copy.keras")
    try KerasModelFile.write(original, to: url)
    let copy = try KerasModelFile.read(from: url)
    #expect(copy.architecture == original.architecture)
    for (a, b) in zip(copy.parameters, original.parameters) {
      #expect(a.name == b.name)
      #expect(a.kerasValue == b.kerasValue)
    }
  }

  @Test func writtenArchiveHoldsTheKerasEntriesAndWeightGroups() throws {
    let directory = try TemporaryDirectory()
    let model = try KerasModelFile.read(from: KerasFixtures.tinyModel)
    let url = directory.file("copy.keras")
    try KerasModelFile.write(model, to: url)

    let entries = try ZipArchive.entries(ofFileAt: url.path)
    #expect(Set(entries.keys) == ["config.json", "metadata.json", "model.weights.h5"])
    let metadata = try JSONSerialization.jsonObject(with: Data(entries["metadata.json"] ?? []))
    #expect((metadata as? [String: Any])?["keras_version"] as? String == "3.15.1")

    let weights = directory.file("weights.h5")
    FixtureBuilders.write(entries["model.weights.h5"] ?? [], to: weights.path)
    let h5 = try HDF5File.open(path: weights.path)
    #expect(try h5.members(of: "layers/batch_normalization_1/vars") == ["0", "1", "2", "3"])
    #expect(try h5.shape(of: "layers/conv2d/vars/0") == [3, 3, 1, 3])
    let bias = model.parameters[13].kerasValue
    #expect(try h5.readTensor("layers/dense_1/vars/1", expected: bias.shape) == bias)
    #expect(try h5.members(of: "layers/flatten/vars").isEmpty)
  }

  @Test func bareWeightsFileRoundTripsIntoAFreshModel() throws {
    let directory = try TemporaryDirectory()
    let original = try KerasModelFile.read(from: KerasFixtures.tinyModel)
    let url = directory.file("tiny.weights.h5")
    try KerasModelFile.writeWeights(of: original, to: url)
    let fresh = try Model(architecture: original.architecture)
    #expect(fresh.parameters[0].kerasValue != original.parameters[0].kerasValue)
    try KerasModelFile.loadWeights(from: url, into: fresh)
    for (a, b) in zip(fresh.parameters, original.parameters) {
      #expect(a.kerasValue == b.kerasValue, "\(a.name)")
    }
  }

  @Test func writesLayersInTheOrderKerasGivesThem() throws {
    let model = try KerasModelFile.read(from: KerasFixtures.tinyModel)
    var shuffled = model.architecture
    // Same graph, branches listed in another order: Keras's order does not depend on it.
    let moved = shuffled.layers.remove(at: 8)
    shuffled.layers.insert(moved, at: 5)
    #expect(
      KerasConfigWriter.kerasOrder(shuffled).map(\.name)
        == model.architecture.layers.map(\.name))
  }

  private func argmax(_ values: [Float]) -> [Int] {
    stride(from: 0, to: values.count, by: 10).map { start in
      (start..<start + 10).max { values[$0] < values[$1] }! - start
    }
  }
}
