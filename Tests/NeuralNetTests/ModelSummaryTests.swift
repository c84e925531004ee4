import Foundation
import TensorCore
import Testing

@testable import NeuralNet

@Suite struct ModelSummaryTests {
  @Test func referenceSummaryListsLayersShapesAndTotals() throws {
    var generator = SeededGenerator(seed: 1)
    let model = try Model(named: "reference", generator: &generator)
    let summary = model.summary()
    #expect(summary.layers.count == 40)
    let concat = try #require(summary.layers.first { $0.type == "Concatenate" })
    #expect(concat.outputShape == [nil, 7, 7, 352])
    #expect(
      concat.connectedTo == [
        "activation_3[0][0]", "activation_5[0][0]", "activation_8[0][0]", "activation_9[0][0]",
      ])
    let dense = try #require(summary.layers.first { $0.name == "dense" })
    #expect(dense.params == 17_248 * 64 + 64)
    #expect(dense.connectedTo == ["dropout_1[0][0]"])
    let text = model.summaryText()
    #expect(
      text.hasSuffix(
        "Total params: 1,347,306\nTrainable params: 1,345,898\nNon-trainable params: 1,408\n"))
    #expect(text.contains("conv2d_9 (Conv2D)"))
  }

  @Test func summaryEncodesToTheDocumentedJSON() throws {
    var generator = SeededGenerator(seed: 1)
    let model = try Model(named: "tiny", generator: &generator)
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    let json = String(decoding: try encoder.encode(model.summary()), as: UTF8.self)
    #expect(
      json.hasPrefix(
        #"{"layers":[{"connectedTo":[],"name":"input_layer","outputShape":[null,28,28,1],"#
          + #""params":0,"type":"InputLayer"},{"connectedTo":["input_layer[0][0]"],"#
          + #""name":"conv2d","outputShape":[null,14,14,8],"params":72,"type":"Conv2D"}"#))
    #expect(json.hasSuffix(#""nonTrainableParams":16,"totalParams":4034,"trainableParams":4018}"#))
  }

  @Test(arguments: [(0, "0"), (999, "999"), (1000, "1,000"), (1_347_306, "1,347,306")])
  func groupsDigitsByThousands(value: Int, text: String) {
    #expect(ModelSummary.grouped(value) == text)
  }
}
