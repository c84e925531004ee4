import TensorCore
import Testing

@testable import Optimizers

@Suite struct SGDTests {
  @Test func defaultsAreKeras3Defaults() {
    let settings = SGD().settings
    #expect(settings.learningRateSchedule == .constant(0.01))
    #expect(settings.momentum == 0)
    #expect(settings.isNesterov == false)
  }

  // w = w - lr · g: 1 - 0.25 · 2 = 0.5.
  @Test func oneStepWorkedByHandKeepsNoSlots() {
    let w = makeParameter("w", [1, -1], gradient: [2, 4])
    let optimizer = SGD(learningRate: 0.25)

    optimizer.update([w])

    #expect(w.kerasValue.scalars == [0.5, -2])
    #expect(optimizer.state().slots.isEmpty)
  }

  struct MomentumCase: Sendable, CustomTestStringConvertible {
    let name: String
    let isNesterov: Bool
    let afterStep1: Float
    let afterStep2: Float
    var testDescription: String { name }
  }

  // lr 0.25, momentum 0.5, g = 2 twice, from w = 4.
  // Plain: m1 = -0.5, w = 3.5; m2 = -0.25 - 0.5 = -0.75, w = 2.75.
  // Nesterov: m1 = -0.5, w = 4 + (-0.25 - 0.5) = 3.25; m2 = -0.75, w = 3.25 + (-0.375 - 0.5).
  @Test(arguments: [
    MomentumCase(name: "momentum", isNesterov: false, afterStep1: 3.5, afterStep2: 2.75),
    MomentumCase(name: "nesterov", isNesterov: true, afterStep1: 3.25, afterStep2: 2.375),
  ])
  func twoStepsWithMomentumWorkedByHand(_ c: MomentumCase) {
    let w = makeParameter("w", [4], gradient: [2])
    let optimizer = SGD(learningRate: 0.25, momentum: 0.5, isNesterov: c.isNesterov)

    optimizer.update([w])
    #expect(w.kerasValue.scalars == [c.afterStep1])
    optimizer.update([w])
    #expect(w.kerasValue.scalars == [c.afterStep2])

    let slots = optimizer.state().slots
    #expect(slots.map(\.key) == ["w/momentum"])
    #expect(slots.map(\.value.scalars) == [[-0.75]])
  }

  @Test(arguments: [false, true])
  func convergesOnLeastSquares(isNesterov: Bool) {
    // Minimise ½‖A w - b‖² for A = [[2, 1], [1, 3]], b = [3, 5]: w* = [0.8, 1.4].
    let a: [[Float]] = [[2, 1], [1, 3]]
    let b: [Float] = [3, 5]
    let w = makeParameter("w", [0, 0])
    let optimizer = SGD(learningRate: 0.05, momentum: 0.9, isNesterov: isNesterov)

    for _ in 0..<300 {
      let x = w.kerasValue.scalars
      let residual = (0..<2).map { a[$0][0] * x[0] + a[$0][1] * x[1] - b[$0] }
      setGradient(w, (0..<2).map { j in a[0][j] * residual[0] + a[1][j] * residual[1] })
      optimizer.update([w])
    }

    expectClose(w.kerasValue.scalars, [0.8, 1.4], abs: 1e-3)
  }
}
