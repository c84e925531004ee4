import TensorCore
import Testing

@testable import NeuralNet

@Suite struct PlanTests {
  /// At batch 512 the reference model's gradients take 135 MB shared, 426 MB unshared.
  @Test func referenceTrainingPlanSharesGradientMemory() throws {
    var generator = SeededGenerator(seed: 1)
    let model = try Model(named: "reference", generator: &generator)
    let plan = try model.plan(batch: 4, mode: .training)
    #expect(plan.gradientByteCount * 5 < plan.unsharedGradientByteCount * 2)
    #expect(plan.gradientParts.filter { !$0.isEmpty }.map(\.count) == [4])
    let dropouts = model.layers.compactMap { $0 as? Dropout }
    #expect(dropouts.map(\.isInPlace) == [true, true])
  }

  /// At batch 512 the reference model's inference activations take 138 MB shared, 358 MB
  /// unshared.
  @Test func referenceInferencePlanSharesActivationMemory() throws {
    var generator = SeededGenerator(seed: 1)
    let model = try Model(named: "reference", generator: &generator)
    let plan = try model.plan(batch: 2, mode: .inference)
    var seen = Set<ObjectIdentifier>()
    let unshared = plan.steps.map(\.output).filter { seen.insert(ObjectIdentifier($0)).inserted }
      .reduce(0) { $0 + $1.byteCount }
    let shared = try #require(plan.blocks).byteCount
    #expect(shared * 2 < unshared)
    #expect(plan.blocks?.pointers.contains(plan.output.raw) == true)
  }

  @Test func inferencePlanHasNoGradients() throws {
    var generator = SeededGenerator(seed: 1)
    let model = try Model(named: "tiny", generator: &generator)
    let plan = try model.plan(batch: 3, mode: .inference)
    #expect(plan.gradients.isEmpty && plan.gradientByteCount == 0)
  }
}
