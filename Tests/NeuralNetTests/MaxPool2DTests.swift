import TensorCore
import TestSupport
import Testing

@testable import NeuralNet

@Suite struct MaxPool2DTests {
  struct ShapeCase: Sendable, CustomStringConvertible {
    let input: [Int]
    let pool: Int
    let stride: Int
    let padding: Padding
    let expected: [Int]
    var description: String { "\(input) p\(pool) s\(stride) \(padding) -> \(expected)" }
  }

  @Test(arguments: [
    ShapeCase(input: [28, 28, 32], pool: 3, stride: 2, padding: .same, expected: [14, 14, 32]),
    ShapeCase(input: [14, 14, 64], pool: 3, stride: 2, padding: .same, expected: [7, 7, 64]),
    ShapeCase(input: [7, 7, 64], pool: 3, stride: 1, padding: .same, expected: [7, 7, 64]),
    ShapeCase(input: [7, 7, 3], pool: 2, stride: 2, padding: .valid, expected: [3, 3, 3]),
    ShapeCase(input: [7, 7, 3], pool: 2, stride: 2, padding: .same, expected: [4, 4, 3]),
  ])
  func outputShape(_ c: ShapeCase) throws {
    let harness = try LayerHarness(input: c.input) { g, x in
      g.maxPooling2D(
        x, poolSize: [c.pool, c.pool], strides: [c.stride, c.stride],
        padding: c.padding)
    }
    #expect(try harness.forward(Tensor(shape: [1] + c.input)).shape == [1] + c.expected)
  }

  /// 4x4 input -1...-16, 3x3 window, stride 2, 'same' (pad 0 before, 1 after): padding never
  /// wins, so the maxima are the top-left cells of each window.
  @Test func samePaddingIgnoresThePaddedCells() throws {
    let harness = try LayerHarness(input: [4, 4, 1]) { g, x in
      g.maxPooling2D(x, poolSize: [3, 3], strides: [2, 2], padding: .same)
    }
    let y = try harness.forward(Tensor(shape: [1, 4, 4, 1], scalars: (1...16).map { -Float($0) }))
    #expect(y == Tensor(shape: [1, 2, 2, 1], scalars: [-1, -3, -9, -11]))
    let z = try harness.forward(Tensor(shape: [1, 4, 4, 1], scalars: (1...16).map(Float.init)))
    #expect(z == Tensor(shape: [1, 2, 2, 1], scalars: [11, 12, 15, 16]))
  }

  /// Tolerance 2e-3 + 2e-2 · |numeric| with h = 1e-3 (random inputs have no ties).
  @Test(arguments: [Padding.same, .valid])
  func backwardMatchesFiniteDifferences(padding: Padding) throws {
    let harness = try LayerHarness(input: [6, 6, 3]) { g, x in
      g.maxPooling2D(x, poolSize: [3, 3], strides: [2, 2], padding: padding)
    }
    try harness.checkGradients(batch: 2, step: 1e-3, samples: 24)
  }
}
