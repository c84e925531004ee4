import TensorCore
import TestSupport
import Testing

@testable import NeuralNet

@Suite struct Conv2DTests {
  struct ShapeCase: Sendable, CustomStringConvertible {
    let input: [Int]
    let filters: Int
    let kernel: Int
    let stride: Int
    let padding: Padding
    let expected: [Int]
    var description: String { "\(input) k\(kernel) s\(stride) \(padding) -> \(expected)" }
  }

  @Test(arguments: [
    ShapeCase(
      input: [28, 28, 1], filters: 32, kernel: 3, stride: 1, padding: .same,
      expected: [28, 28, 32]),
    ShapeCase(
      input: [28, 28, 1], filters: 8, kernel: 3, stride: 2, padding: .same,
      expected: [14, 14, 8]),
    ShapeCase(
      input: [7, 7, 64], filters: 96, kernel: 1, stride: 1, padding: .same,
      expected: [7, 7, 96]),
    ShapeCase(
      input: [7, 7, 4], filters: 2, kernel: 3, stride: 2, padding: .same,
      expected: [4, 4, 2]),
    ShapeCase(
      input: [7, 7, 4], filters: 2, kernel: 3, stride: 1, padding: .valid,
      expected: [5, 5, 2]),
    ShapeCase(
      input: [8, 8, 4], filters: 2, kernel: 3, stride: 2, padding: .valid,
      expected: [3, 3, 2]),
  ])
  func outputShape(_ c: ShapeCase) throws {
    let harness = try LayerHarness(input: c.input) { g, x in
      g.conv2D(
        x, filters: c.filters, kernelSize: [c.kernel, c.kernel],
        strides: [c.stride, c.stride], padding: c.padding)
    }
    let y = try harness.forward(Tensor(shape: [2] + c.input))
    #expect(y.shape == [2] + c.expected)
  }

  /// 4x4 input 1...16, 3x3 kernel of ones, stride 2, 'same': TensorFlow pads 0 rows/columns
  /// before and 1 after, so the windows cover rows {0,1,2} and {2,3,pad}.
  @Test func samePaddingWithStrideTwoPadsOnlyAfter() throws {
    let harness = try LayerHarness(input: [4, 4, 1]) { g, x in
      g.conv2D(x, filters: 1, kernelSize: [3, 3], strides: [2, 2], padding: .same)
    }
    let kernel = try #require(harness.parameter("/kernel"))
    kernel.setKerasValue(Tensor(shape: [3, 3, 1, 1], repeating: 1))
    let bias = try #require(harness.parameter("/bias"))
    bias.setKerasValue(Tensor(shape: [1], scalars: [0.5]))
    let x = Tensor(shape: [1, 4, 4, 1], scalars: (1...16).map(Float.init))
    let y = try harness.forward(x)
    #expect(y == Tensor(shape: [1, 2, 2, 1], scalars: [54.5, 45.5, 72.5, 54.5]))
  }

  /// Keras HWIO kernel order: out[o] = Σ_i x[i] · w[0, 0, i, o] for a 1x1 convolution.
  @Test func kernelFollowsKerasHWIOOrder() throws {
    let harness = try LayerHarness(input: [1, 1, 2]) { g, x in
      g.conv2D(x, filters: 3, kernelSize: [1, 1], useBias: false)
    }
    let kernel = try #require(harness.parameter("/kernel"))
    kernel.setKerasValue(Tensor(shape: [1, 1, 2, 3], scalars: [1, 2, 3, 4, 5, 6]))
    let y = try harness.forward(Tensor(shape: [1, 1, 1, 2], scalars: [10, 100]))
    #expect(y == Tensor(shape: [1, 1, 1, 3], scalars: [410, 520, 630]))
    #expect(kernel.kerasValue.scalars == [1, 2, 3, 4, 5, 6])
  }

  @Test func glorotUniformKernelStaysWithinTheLimit() throws {
    let harness = try LayerHarness(input: [5, 5, 3]) { g, x in
      g.conv2D(x, filters: 4, kernelSize: [3, 3])
    }
    let kernel = try #require(harness.parameter("/kernel")).kerasValue.scalars
    let limit = (6 / Float(27 + 36)).squareRoot()
    #expect(kernel.allSatisfy { abs($0) <= limit })
    #expect(kernel.map(abs).max()! > 0.8 * limit)
    #expect(try #require(harness.parameter("/bias")).kerasValue.scalars.allSatisfy { $0 == 0 })
  }

  /// Tolerance: |analytic - numeric| <= 2e-3 + 2e-2 · |numeric| with h = 1e-2 (the layer is
  /// linear, so only float rounding separates them).
  @Test(arguments: [Padding.same, .valid])
  func backwardMatchesFiniteDifferences(padding: Padding) throws {
    let harness = try LayerHarness(input: [6, 5, 3]) { g, x in
      g.conv2D(x, filters: 4, kernelSize: [3, 3], strides: [2, 2], padding: padding)
    }
    try harness.checkGradients(batch: 2)
  }

  @Test func backwardMatchesFiniteDifferencesForOneByOneKernels() throws {
    let harness = try LayerHarness(input: [3, 3, 5]) { g, x in
      g.conv2D(x, filters: 6, kernelSize: [1, 1], padding: .same, useBias: false)
    }
    try harness.checkGradients(batch: 3)
  }

  @Test func kernelGradientIncludesTheL2Term() throws {
    func gradient(l2: Float) throws -> [Float] {
      let harness = try LayerHarness(input: [4, 4, 2]) { g, x in
        g.conv2D(x, filters: 3, kernelSize: [3, 3], padding: .same, kernelL2: l2)
      }
      let x = Tensor(shape: [2, 4, 4, 2], scalars: (0..<64).map { Float($0 % 7) - 3 })
      let y = try harness.model.forward(x, mode: .training)
      _ = try harness.model.backward(outputGradient: Tensor(shape: y.shape, repeating: 1))
      let kernel = try #require(harness.parameter("/kernel"))
      let w = kernel.kerasValue.scalars
      let g = kernel.kerasTensor(of: kernel.gradient).scalars
      return zip(g, w).map { $0 - 2 * l2 * $1 }
    }
    expectClose(try gradient(l2: 0.5), try gradient(l2: 0), rtol: 1e-5, atol: 1e-5)
  }
}
