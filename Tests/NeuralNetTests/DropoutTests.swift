import TensorCore
import TestSupport
import Testing

@testable import NeuralNet

@Suite struct DropoutTests {
  @Test func inferenceIsTheIdentity() throws {
    let harness = try LayerHarness(input: [2, 2, 3]) { g, x in g.dropout(x, rate: 0.5) }
    let x = Tensor(shape: [1, 2, 2, 3], scalars: (1...12).map(Float.init))
    #expect(try harness.forward(x) == x)
  }

  @Test func trainingZeroesAboutRateAndScalesTheRest() throws {
    let harness = try LayerHarness(input: [10, 10, 20]) { g, x in g.dropout(x, rate: 0.25) }
    let y = try harness.forward(Tensor(shape: [2, 10, 10, 20], repeating: 3), mode: .training)
    let zeros = y.scalars.filter { $0 == 0 }.count
    #expect(y.scalars.allSatisfy { $0 == 0 || $0 == 4 })
    #expect(abs(Double(zeros) / 4000 - 0.25) < 0.03)
  }

  @Test func equalSeedsGiveEqualMasks() throws {
    let harness = try LayerHarness(input: [4, 4, 8]) { g, x in g.dropout(x, rate: 0.5) }
    let x = Tensor(shape: [1, 4, 4, 8], repeating: 1)
    let a = try harness.model.forward(x, mode: .training, seed: 3)
    let b = try harness.model.forward(x, mode: .training, seed: 3)
    let c = try harness.model.forward(x, mode: .training, seed: 4)
    #expect(a == b)
    #expect(a != c)
  }

  /// The gradient is the mask: exact, so the tolerance only covers float rounding.
  @Test func backwardMatchesFiniteDifferences() throws {
    let harness = try LayerHarness(input: [3, 3, 5]) { g, x in g.dropout(x, rate: 0.4) }
    try harness.checkGradients(batch: 2, samples: 30)
  }
}

extension DropoutTests {
  /// Eight channels in a 16-channel blocked layout leave half of each block as padding, which
  /// the mask multiplies but must leave zero.
  @Test func paddingOfBlockedLayoutsStaysZero() throws {
    let harness = try LayerHarness(input: [3, 3, 2]) { g, x in
      g.dropout(g.conv2D(x, filters: 8, kernelSize: [1, 1], useBias: false), rate: 0.5)
    }
    let x = Tensor(shape: [2, 3, 3, 2], repeating: 1)
    let y = try harness.model.forward(x, mode: .training)
    let plan = try harness.model.plan(batch: 2, mode: .training, wantsInputGradient: true)
    let raw = UnsafeBufferPointer(start: plan.output.data, count: plan.output.floatCount)
    #expect(raw.count > y.count)
    // Every nonzero in memory is one of the logical elements read back in Keras layout.
    let kept = y.scalars.filter { $0 != 0 }.count
    #expect(kept > 0 && kept < y.count)
    #expect(raw.filter { $0 != 0 }.count == kept)
  }
}
