import TensorCore
import TestSupport
import Testing

@testable import NeuralNet

@Suite struct ActivationTests {
  @Test func reluClampsNegativesToZero() throws {
    let harness = try LayerHarness(input: [1, 2, 2]) { g, x in g.activation(x, .relu) }
    let y = try harness.forward(Tensor(shape: [1, 1, 2, 2], scalars: [-1, 0, 2, -0.5]))
    #expect(y == Tensor(shape: [1, 1, 2, 2], scalars: [0, 0, 2, 0]))
  }

  @Test func linearPassesThrough() throws {
    let harness = try LayerHarness(input: [1, 1, 3]) { g, x in g.activation(x, .linear) }
    let x = Tensor(shape: [2, 1, 1, 3], scalars: [-1, 2, 3, 4, -5, 6])
    #expect(try harness.forward(x) == x)
  }

  /// Tolerance 2e-3 + 2e-2 · |numeric| with h = 1e-3; inputs within 1e-3 of zero would cross
  /// the kink, which this seed avoids.
  @Test func reluBackwardMatchesFiniteDifferences() throws {
    let harness = try LayerHarness(input: [3, 3, 4]) { g, x in g.activation(x, .relu) }
    try harness.checkGradients(batch: 2, step: 1e-3, samples: 24)
  }
}

extension ActivationTests {
  /// `Dense(linear) -> Activation(softmax)` is the same model as `Dense(softmax)`.
  @Test func softmaxActivationLayerMatchesDenseSoftmax() throws {
    func model(separate: Bool) throws -> Model {
      var g = GraphBuilder(name: separate ? "separate" : "fused")
      let x = g.flatten(g.input(height: 2, width: 2, channels: 1))
      let y =
        separate
        ? g.activation(g.dense(x, units: 3), .softmax) : g.dense(x, units: 3, activation: .softmax)
      var generator = SeededGenerator(seed: 3)
      return try Model(architecture: g.architecture(output: y), generator: &generator)
    }
    let separate = try model(separate: true)
    let fused = try model(separate: false)
    let images: [Float] = [0.5, -1, 2, 0.25, 1, 1, -0.5, 0]
    let labels: [Int32] = [2, 0]
    var generator = SeededGenerator(seed: 1)
    let a = try images.withUnsafeBufferPointer {
      try separate.trainStep(images: $0.baseAddress!, labels: labels, generator: &generator)
    }
    let b = try images.withUnsafeBufferPointer {
      try fused.trainStep(images: $0.baseAddress!, labels: labels, generator: &generator)
    }
    #expect(a.loss == b.loss)
    #expect(
      separate.parameters.map { $0.kerasTensor(of: $0.gradient) }
        == fused.parameters.map { $0.kerasTensor(of: $0.gradient) })
    let p = try images.withUnsafeBufferPointer {
      try separate.predict(images: $0.baseAddress!, count: 2)
    }
    let q = try images.withUnsafeBufferPointer {
      try fused.predict(images: $0.baseAddress!, count: 2)
    }
    #expect(p == q)
  }
}
