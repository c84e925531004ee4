import TensorCore
import TestSupport
import Testing

@testable import NeuralNet

@Suite struct DenseTests {
  /// `y = x · W + b` with x = [1, 2], W = [[1, 2], [3, 4]], b = [0.5, -0.5].
  @Test func computesAffineMapInKerasOrder() throws {
    let harness = try LayerHarness(input: [1, 1, 2]) { g, x in
      g.dense(g.flatten(x), units: 2)
    }
    try #require(harness.parameter("dense/kernel")).setKerasValue(
      Tensor(shape: [2, 2], scalars: [1, 2, 3, 4]))
    try #require(harness.parameter("dense/bias")).setKerasValue(
      Tensor(shape: [2], scalars: [0.5, -0.5]))
    let y = try harness.forward(Tensor(shape: [1, 1, 1, 2], scalars: [1, 2]))
    #expect(y == Tensor(shape: [1, 2], scalars: [7.5, 9.5]))
  }

  @Test func reluActivationClampsTheOutput() throws {
    let harness = try LayerHarness(input: [1, 1, 1]) { g, x in
      g.dense(g.flatten(x), units: 2, activation: .relu, useBias: false)
    }
    try #require(harness.parameter("dense/kernel")).setKerasValue(
      Tensor(shape: [1, 2], scalars: [1, -1]))
    let y = try harness.forward(Tensor(shape: [1, 1, 1, 1], scalars: [3]))
    #expect(y == Tensor(shape: [1, 2], scalars: [3, 0]))
  }

  /// Tolerance 2e-3 + 2e-2 · |numeric| with h = 1e-3 (ReLU has a kink at zero).
  @Test func backwardMatchesFiniteDifferencesAfterFlatten() throws {
    let harness = try LayerHarness(input: [3, 2, 5]) { g, x in
      g.dense(g.flatten(x), units: 7, activation: .relu, kernelL2: 0)
    }
    try harness.checkGradients(batch: 3, step: 1e-3)
  }

  @Test func backwardMatchesFiniteDifferencesOnFlatInput() throws {
    let harness = try LayerHarness(input: [1, 1, 6]) { g, x in
      g.dense(g.dense(g.flatten(x), units: 5), units: 3)
    }
    try harness.checkGradients(batch: 4)
  }
}
