import TensorCore
import TestSupport
import Testing

@testable import NeuralNet

@Suite struct BatchNormTests {
  @Test func initializesGammaOnesBetaZerosAndMovingStatistics() throws {
    let harness = try LayerHarness(input: [2, 2, 3]) { g, x in g.batchNormalization(x) }
    let values = harness.model.parameters.map { ($0.name, $0.kerasValue.scalars, $0.isTrainable) }
    #expect(
      values.map(\.0) == [
        "batch_normalization/gamma", "batch_normalization/beta",
        "batch_normalization/moving_mean", "batch_normalization/moving_variance",
      ])
    #expect(values.map(\.1) == [[1, 1, 1], [0, 0, 0], [0, 0, 0], [1, 1, 1]])
    #expect(values.map(\.2) == [true, true, false, false])
  }

  /// One channel, batch of two 1x1 images holding 1 and 3: mean 2, biased variance 1, so
  /// `y = ±1 / sqrt(1 + 1e-3)`; moving mean `0.99 · 0 + 0.01 · 2`, moving variance
  /// `0.99 · 1 + 0.01 · 1`.
  @Test func trainingNormalizesWithBatchStatisticsAndMovesTheAverages() throws {
    let harness = try LayerHarness(input: [1, 1, 1]) { g, x in g.batchNormalization(x) }
    let y = try harness.forward(Tensor(shape: [2, 1, 1, 1], scalars: [1, 3]), mode: .training)
    let expected = 1 / (1 + 1e-3 as Float).squareRoot()
    expectClose(y.scalars, [-expected, expected], rtol: 1e-6)
    expectClose(try #require(harness.parameter("moving_mean")).kerasValue.scalars, [0.02])
    expectClose(try #require(harness.parameter("moving_variance")).kerasValue.scalars, [1])
  }

  @Test func inferenceUsesTheMovingStatistics() throws {
    let harness = try LayerHarness(input: [1, 1, 2]) { g, x in g.batchNormalization(x) }
    try #require(harness.parameter("moving_mean")).setKerasValue(
      Tensor(shape: [2], scalars: [1, -1]))
    try #require(harness.parameter("moving_variance")).setKerasValue(
      Tensor(shape: [2], scalars: [3.999, 0.999]))
    try #require(harness.parameter("gamma")).setKerasValue(Tensor(shape: [2], scalars: [2, 1]))
    try #require(harness.parameter("beta")).setKerasValue(Tensor(shape: [2], scalars: [0, 5]))
    let y = try harness.forward(Tensor(shape: [1, 1, 1, 2], scalars: [5, 1]))
    // (5 - 1) / sqrt(4) · 2 + 0 = 4 and (1 + 1) / sqrt(1) · 1 + 5 = 7.
    expectClose(y.scalars, [4, 7], rtol: 1e-6)
  }

  /// Tolerance 2e-3 + 2e-2 · |numeric| with h = 1e-2; the batch statistics make the layer
  /// nonlinear, so the step is kept small against the inputs' unit scale.
  @Test func backwardMatchesFiniteDifferences() throws {
    let harness = try LayerHarness(input: [3, 2, 5]) { g, x in g.batchNormalization(x) }
    try #require(harness.parameter("gamma")).setKerasValue(
      Tensor(shape: [5], scalars: [0.5, 1.5, -1, 2, 1]))
    try #require(harness.parameter("beta")).setKerasValue(
      Tensor(shape: [5], scalars: [0.1, -0.2, 0.3, 0, 1]))
    try harness.checkGradients(batch: 4, step: 1e-2)
  }
}
