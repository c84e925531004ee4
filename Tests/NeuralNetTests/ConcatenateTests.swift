import TensorCore
import TestSupport
import Testing

@testable import NeuralNet

@Suite struct ConcatenateTests {
  @Test func stacksChannelsInInputOrder() throws {
    let harness = try LayerHarness(input: [1, 2, 2]) { g, x in
      let a = g.activation(x, .relu)
      let b = g.conv2D(x, filters: 1, kernelSize: [1, 1], useBias: false)
      return g.concatenate([a, b])
    }
    try #require(harness.parameter("conv2d/kernel")).setKerasValue(
      Tensor(shape: [1, 1, 2, 1], scalars: [1, 10]))
    let y = try harness.forward(Tensor(shape: [1, 1, 2, 2], scalars: [1, -2, 3, 4]))
    #expect(y == Tensor(shape: [1, 1, 2, 3], scalars: [1, 0, -19, 3, 4, 43]))
  }

  /// Four branches read one input, as in an inception block.
  ///
  /// The input's gradient is the sum of four parts. Tolerance 2e-3 + 2e-2 · |numeric| with
  /// h = 1e-3 (pooling and ReLU kinks).
  @Test func backwardMatchesFiniteDifferencesThroughBranches() throws {
    let harness = try LayerHarness(input: [4, 4, 3]) { g, x in
      let a = g.conv2D(x, filters: 16, kernelSize: [1, 1], padding: .same)
      let b = g.conv2D(x, filters: 5, kernelSize: [3, 3], padding: .same)
      let c = g.maxPooling2D(x, poolSize: [3, 3], strides: [1, 1], padding: .same)
      let d = g.activation(x, .relu)
      return g.concatenate([a, b, c, d])
    }
    try harness.checkGradients(batch: 2, step: 1e-3, samples: 24)
  }

  @Test func backwardMatchesFiniteDifferencesForBlockAlignedChannels() throws {
    let harness = try LayerHarness(input: [3, 3, 2]) { g, x in
      let a = g.conv2D(x, filters: 16, kernelSize: [1, 1], padding: .same)
      let b = g.conv2D(x, filters: 32, kernelSize: [3, 3], padding: .same)
      return g.concatenate([a, b])
    }
    try harness.checkGradients(batch: 2, samples: 24)
  }
}
