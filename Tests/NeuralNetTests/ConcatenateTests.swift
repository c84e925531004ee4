import CDNNL
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

  /// Inputs whose channels fill whole blocks of the blocked layout are copied as one run per
  /// image instead of through oneDNN's concat; the values are those of stacking the channels.
  @Test(arguments: [1, 3])
  func blockAlignedInputsAreCopiedAsRuns(batch: Int) throws {
    let harness = try LayerHarness(input: [2, 3, 16]) { g, x in
      let a = g.conv2D(x, filters: 16, kernelSize: [1, 1], useBias: false)
      let b = g.conv2D(x, filters: 32, kernelSize: [1, 1], useBias: false)
      return g.concatenate([a, b])
    }
    // a = x; b[j] = 2 · x[j mod 16].
    let identity = (0..<16).flatMap { i in (0..<16).map { o in Float(i == o ? 1 : 0) } }
    let double = (0..<16).flatMap { i in (0..<32).map { o in Float(i == o % 16 ? 2 : 0) } }
    try #require(harness.parameter("conv2d/kernel")).setKerasValue(
      Tensor(shape: [1, 1, 16, 16], scalars: identity))
    try #require(harness.parameter("conv2d_1/kernel")).setKerasValue(
      Tensor(shape: [1, 1, 16, 32], scalars: double))
    let pixels = batch * 6
    let x = (0..<pixels * 16).map { Float($0 % 97) - 40 }
    let y = try harness.forward(Tensor(shape: [batch, 2, 3, 16], scalars: x))

    var expected: [Float] = []
    for p in 0..<pixels {
      let pixel = Array(x[p * 16..<(p + 1) * 16])
      expected += pixel + pixel.map { 2 * $0 } + pixel.map { 2 * $0 }
    }
    #expect(y.scalars == expected)
    let plan = try harness.model.plan(batch: batch, mode: .inference)
    let concat = try #require(plan.steps.last)
    #expect(concat.primitives.allSatisfy { $0.kind != dnnl_concat }, "copied, not oneDNN's concat")
  }
}
