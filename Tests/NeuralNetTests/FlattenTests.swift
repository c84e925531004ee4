import TensorCore
import TestSupport
import Testing

@testable import NeuralNet

@Suite struct FlattenTests {
  @Test func outputShapeIsTheProductOfHeightWidthChannels() throws {
    let harness = try LayerHarness(input: [7, 7, 352]) { g, x in g.flatten(x) }
    #expect(try harness.forward(Tensor(shape: [2, 7, 7, 352])).shape == [2, 17_248])
  }

  /// An identity `Dense` kernel after `Flatten` returns the input in Keras (h, w, c) order,
  /// whatever layout the engine keeps the 4-D activation in.
  @Test func flattensInKerasNHWCOrder() throws {
    let harness = try LayerHarness(input: [2, 2, 3]) { g, x in
      let conv = g.conv2D(x, filters: 3, kernelSize: [1, 1], useBias: false)
      return g.dense(g.flatten(conv), units: 12, useBias: false)
    }
    var identity3 = [Float](repeating: 0, count: 9)
    for i in 0..<3 { identity3[i * 3 + i] = 1 }
    try #require(harness.parameter("conv2d/kernel")).setKerasValue(
      Tensor(shape: [1, 1, 3, 3], scalars: identity3))
    var identity12 = [Float](repeating: 0, count: 144)
    for i in 0..<12 { identity12[i * 12 + i] = 1 }
    try #require(harness.parameter("dense/kernel")).setKerasValue(
      Tensor(shape: [12, 12], scalars: identity12))
    let x = Tensor(shape: [1, 2, 2, 3], scalars: (0..<12).map(Float.init))
    #expect(try harness.forward(x) == Tensor(shape: [1, 12], scalars: x.scalars))
  }
}
