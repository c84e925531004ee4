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
