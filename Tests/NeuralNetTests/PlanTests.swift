import TensorCore
import Testing

@testable import NeuralNet

@Suite struct PlanTests {
  /// At batch 512 the reference model's gradients take 135 MB shared, 426 MB unshared, and
  /// its activations 297 MB lent, 358 MB one after the other.
  @Test func referenceTrainingPlanSharesGradientMemory() throws {
    var generator = SeededGenerator(seed: 1)
    let model = try Model(named: "reference", generator: &generator)
    let plan = try model.plan(batch: 4, mode: .training)
    #expect(plan.gradientByteCount * 5 < plan.unsharedGradientByteCount * 2)
    #expect(plan.gradientParts.filter { !$0.isEmpty }.map(\.count) == [4])
    let dropouts = model.layers.compactMap { $0 as? Dropout }
    #expect(dropouts.map(\.isInPlace) == [true, true])

    // Outputs only pooling, concatenation or dropout read need not live through backward.
    var seen = Set<ObjectIdentifier>()
    let activations = plan.steps.map(\.output).filter { seen.insert(ObjectIdentifier($0)).inserted }
      .reduce(0) { $0 + $1.byteCount }
    #expect(plan.activationByteCount * 10 < activations * 9)
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
    #expect(plan.activationByteCount * 2 < unshared)
    #expect(plan.activationOffsets.contains { $0.buffer === plan.output })
  }

  @Test func inferencePlanHasNoGradients() throws {
    var generator = SeededGenerator(seed: 1)
    let model = try Model(named: "tiny", generator: &generator)
    let plan = try model.plan(batch: 3, mode: .inference)
    #expect(plan.gradients.isEmpty && plan.gradientByteCount == 0)
  }

  /// Plans of several batch sizes and modes take turns in the shared activation memory (which
  /// grows when the training plan first runs) and still give the same results.
  @Test func plansTakingTurnsGiveTheSameResults() throws {
    var generator = SeededGenerator(seed: 3)
    let model = try Model(named: "reference", generator: &generator)
    func images(_ n: Int) -> Tensor {
      Tensor(
        shape: [n, 28, 28, 1], scalars: (0..<(n * 784)).map { _ in generator.nextUnitFloat() })
    }
    let small = images(3)
    let large = images(5)
    let first = try model.forward(small, mode: .inference)
    _ = try model.forward(large, mode: .inference)
    #expect(try model.forward(small, mode: .inference) == first)

    // Training uses batch statistics, so the moving statistics it updates change nothing here.
    let y1 = try model.forward(large, mode: .training, seed: 9)
    let r = Tensor(shape: y1.shape, repeating: 0.5)
    let g1 = try model.backward(outputGradient: r)
    _ = try model.forward(small, mode: .inference)
    let y2 = try model.forward(large, mode: .training, seed: 9)
    let g2 = try model.backward(outputGradient: r)
    #expect(y1 == y2)
    #expect(g1 == g2)
  }
}
