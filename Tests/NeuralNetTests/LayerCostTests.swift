import TensorCore
import Testing

@testable import NeuralNet

@Suite struct LayerCostTests {
  @Test func referenceTrainingStepIs102Point4MFLOPPerImage() throws {
    var generator = SeededGenerator(seed: 0)
    let model = try Model(named: "reference", generator: &generator)

    // Forward 34,271,488; backward twice that, less the first convolution's input gradient.
    #expect(model.trainingFLOPsPerImage == 102_362_880)
    #expect(abs(Double(model.trainingFLOPsPerImage) / 1e6 - 102.4) < 0.05)
  }

  @Test func tinyModelCostsFollowTheFormulas() throws {
    var generator = SeededGenerator(seed: 0)
    let model = try Model(named: "tiny", generator: &generator)
    let costs = model.layerCosts(batch: 4)

    #expect(costs.map(\.name) == model.architecture.layers.map(\.name))
    let conv = try #require(costs.first { $0.kind == "Conv2D" })
    // 28x28 input, 3x3 kernel, stride 2, same: 14x14x8 out, one input channel.
    #expect(conv.forwardFLOPs == 2 * 4 * 14 * 14 * 8 * 9 * 1)
    #expect(conv.backwardDataFLOPs == 0)
    #expect(conv.backwardWeightsFLOPs == conv.forwardFLOPs)
    let dense = try #require(costs.first { $0.kind == "Dense" })
    // 7x7x8 flattened features into 10 units.
    #expect(dense.forwardFLOPs == 2 * 4 * 392 * 10)
    #expect(dense.backwardFLOPs == 2 * dense.forwardFLOPs)
    #expect(dense.trainingFLOPs == 3 * dense.forwardFLOPs)
    #expect(costs.filter(\.hasFLOPs).count == 2)
  }
}
