import Foundation
import TensorCore
import Testing

@testable import NeuralNet

@Suite struct ArchitectureTests {
  struct PaddingCase: Sendable, CustomStringConvertible {
    let padding: Padding
    let input: Int
    let kernel: Int
    let stride: Int
    let output: Int
    let before: Int
    let after: Int
    var description: String { "\(padding) in \(input) k\(kernel) s\(stride)" }
  }

  /// TensorFlow's rule: a 3x3 stride-2 window on an even size pads 0 before and 1 after; on an
  /// odd size 1 and 1.
  @Test(arguments: [
    PaddingCase(padding: .same, input: 28, kernel: 3, stride: 2, output: 14, before: 0, after: 1),
    PaddingCase(padding: .same, input: 14, kernel: 3, stride: 2, output: 7, before: 0, after: 1),
    PaddingCase(padding: .same, input: 7, kernel: 3, stride: 2, output: 4, before: 1, after: 1),
    PaddingCase(padding: .same, input: 7, kernel: 3, stride: 1, output: 7, before: 1, after: 1),
    PaddingCase(padding: .same, input: 7, kernel: 1, stride: 1, output: 7, before: 0, after: 0),
    PaddingCase(padding: .same, input: 6, kernel: 4, stride: 1, output: 6, before: 1, after: 2),
    PaddingCase(padding: .same, input: 5, kernel: 1, stride: 3, output: 2, before: 0, after: 0),
    PaddingCase(padding: .valid, input: 7, kernel: 3, stride: 2, output: 3, before: 0, after: 0),
    PaddingCase(padding: .valid, input: 8, kernel: 3, stride: 2, output: 3, before: 0, after: 0),
  ])
  func paddingGeometryFollowsTensorFlow(_ c: PaddingCase) {
    let g = c.padding.geometry(input: c.input, kernel: c.kernel, stride: c.stride)
    #expect(g.output == c.output)
    #expect(g.before == c.before)
    #expect(g.after == c.after)
  }

  @Test func graphBuilderNamesLayersLikeKeras() {
    var g = GraphBuilder(name: "names")
    let x = g.input(height: 8, width: 8, channels: 1)
    let y = g.convBlock(g.convBlock(x, filters: 4, kernelSize: 3), filters: 4, kernelSize: 3)
    let out = g.dense(g.flatten(y), units: 10, activation: .softmax)
    let names = g.architecture(output: out).layers.map(\.name)
    #expect(
      names == [
        "input_layer", "conv2d", "batch_normalization", "activation", "conv2d_1",
        "batch_normalization_1", "activation_1", "flatten", "dense",
      ])
  }

  @Test func architectureRoundTripsThroughJSONIntoAnIdenticalModel() throws {
    let architecture = ModelBuilder.reference()
    let data = try JSONEncoder().encode(architecture)
    let decoded = try JSONDecoder().decode(Architecture.self, from: data)
    #expect(decoded == architecture)
    var a = SeededGenerator(seed: 11)
    var b = SeededGenerator(seed: 11)
    let original = try Model(architecture: ModelBuilder.tiny(), generator: &a)
    let rebuilt = try Model(
      architecture: JSONDecoder().decode(
        Architecture.self, from: JSONEncoder().encode(ModelBuilder.tiny())),
      generator: &b)
    #expect(original.parameters.map(\.name) == rebuilt.parameters.map(\.name))
    #expect(original.parameters.map(\.kerasValue) == rebuilt.parameters.map(\.kerasValue))
  }

  @Test func unknownModelNameListsTheKnownOnes() {
    #expect(throws: NeuralNetError.unknownModel(name: "big", known: ["reference", "tiny"])) {
      try ModelBuilder.architecture(named: "big")
    }
    #expect(
      NeuralNetError.unknownModel(name: "big", known: ["reference", "tiny"]).description
        == "unknown model 'big', expected one of: reference, tiny")
  }

  @Test func rejectsAnOutputThatIsNotSoftmax() {
    var g = GraphBuilder(name: "bad")
    let x = g.input(height: 2, width: 2, channels: 1)
    let y = g.dense(g.flatten(x), units: 3)
    var generator = SeededGenerator(seed: 1)
    #expect(
      throws: NeuralNetError.invalidArchitecture(
        layer: "dense",
        reason: "the output layer must be a softmax over a flat [classes] vector, got Dense "
          + "with output [3]")
    ) {
      try Model(architecture: g.architecture(output: y), generator: &generator)
    }
  }

  @Test func rejectsAKernelLargerThanTheInput() {
    var g = GraphBuilder(name: "bad")
    let x = g.input(height: 2, width: 2, channels: 1)
    let y = g.conv2D(x, filters: 1, kernelSize: [3, 3])
    var generator = SeededGenerator(seed: 1)
    #expect(
      throws: NeuralNetError.invalidArchitecture(
        layer: "conv2d", reason: "Conv2D kernel [3, 3] does not fit input [2, 2, 1]")
    ) {
      try Model(
        architecture: g.architecture(output: y), generator: &generator,
        requiresSoftmaxOutput: false)
    }
  }
}
