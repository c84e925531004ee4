import TensorCore
import Testing

@testable import NeuralNet

@Suite struct ModelProfileTests {
  @Test func profileTimesEveryLayerOfATrainingStep() throws {
    var generator = SeededGenerator(seed: 1)
    let precision: Precision = Precision.bf16.isAvailable ? .bf16 : .fp32
    let model = try Model(named: "tiny", generator: &generator, precision: precision)
    let profile = try model.profile(batch: 4, iterations: 2, generator: &generator)

    #expect(profile.batch == 4)
    #expect(profile.iterations == 2)
    #expect(profile.precision == precision)
    #expect(profile.layers.map(\.cost.name) == model.architecture.layers.map(\.name))
    #expect(profile.layers[0].forwardMilliseconds == 0)
    let conv = try #require(profile.layers.first { $0.cost.kind == "Conv2D" })
    #expect(conv.forwardMilliseconds > 0)
    #expect(conv.backwardMilliseconds > 0)
    #expect(conv.forwardGFLOPS != nil)
    // The forward, backward-data and backward-weights kernels; reorders are left out.
    #expect(!conv.kernels.isEmpty && conv.kernels.count <= 3, "\(conv.kernels)")
    #expect(profile.layers[0].kernels.isEmpty)
    let pool = try #require(profile.layers.first { $0.cost.kind == "MaxPooling2D" })
    #expect(pool.forwardGFLOPS == nil)
    #expect(profile.forwardMilliseconds >= conv.forwardMilliseconds)
    #expect(profile.lossMilliseconds > 0)
  }

  @Test(
    arguments: [
      ([3.0, 1, 2], 2.0),
      ([4.0, 1, 3, 2], 2.5),
      ([Double](), 0.0),
    ] as [([Double], Double)])
  func medianOfTimings(values: [Double], expected: Double) {
    #expect(Model.median(values) == expected)
  }

  @Test func gigaflopsAreOperationsOverTime() {
    let cost = LayerCost(
      name: "c", kind: "Conv2D", forwardFLOPs: 2_000_000, backwardDataFLOPs: 1_000_000,
      backwardWeightsFLOPs: 3_000_000)
    let entry = ModelProfile.Entry(cost: cost, forwardMilliseconds: 2, backwardMilliseconds: 0)

    #expect(entry.forwardGFLOPS == 1)
    #expect(entry.backwardGFLOPS == nil)
  }

  @Test func matmulPeakAndEngineInfoAreMeasured() throws {
    let rate = try MatmulPeak.measure(precision: .fp32, size: 32, repetitions: 1)
    #expect(rate > 0)
    let engine = EngineInfo.current
    #expect(engine.version.hasPrefix("2."))
    #expect(engine.threads >= 1)
    #expect(!engine.isa.isEmpty)
  }
}
