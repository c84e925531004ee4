import Foundation
import TensorCore
import Testing

@testable import Optimizers

@Suite struct RMSpropTests {
  @Test func defaultsAreKeras3Defaults() {
    let settings = RMSprop().settings
    #expect(settings.learningRateSchedule == .constant(0.001))
    #expect(settings.rho == 0.9)
    #expect(settings.momentum == 0)
    #expect(settings.epsilon == 1e-7)
    #expect(settings.isCentered == false)
  }

  // v = 0.75 · 0 + 0.25 · 2² = 1; w = 3 - 0.5 · 2 / sqrt(1) = 2.
  @Test func oneStepWorkedByHand() {
    let w = makeParameter("w", [3, -1], gradient: [2, -2])
    let optimizer = RMSprop(learningRate: 0.5, rho: 0.75, epsilon: 0)

    optimizer.update([w])

    #expect(w.kerasValue.scalars == [2, 0])
    #expect(optimizer.state().slots.map(\.value.scalars) == [[1, 1]])
    #expect(optimizer.iterations == 1)
  }

  // v = 0.1 · 1 = 0.1; w = 1 - 0.001 / sqrt(0.1 + 1e-7): epsilon sits inside the root.
  @Test func oneStepWithDefaultsPutsEpsilonInsideTheSquareRoot() {
    let w = makeParameter("w", [1], gradient: [1])
    RMSprop().update([w])

    let expected = 1 - 0.001 / (0.1 + 1e-7).squareRoot()
    expectClose(w.kerasValue.scalars, [Float(expected)], abs: 1e-7)
  }

  // Step 1: v = 1, increment 1, m = 1, w = 2. Step 2: v = 0.75 + 1 = 1.75,
  // increment = 1 / sqrt(1.75), m = 0.5 · 1 + increment, w = 2 - m.
  @Test func twoStepsWithMomentumWorkedByHand() {
    let w = makeParameter("w", [3], gradient: [2])
    let optimizer = RMSprop(learningRate: 0.5, rho: 0.75, momentum: 0.5, epsilon: 0)

    optimizer.update([w])
    #expect(w.kerasValue.scalars == [2])
    optimizer.update([w])

    let m = 0.5 + 1 / 1.75.squareRoot()
    expectClose(w.kerasValue.scalars, [Float(2 - m)], abs: 1e-6)
    let slots = optimizer.state().slots
    #expect(slots.map(\.slotName) == ["velocity", "momentum"])
    expectClose(slots[1].value.scalars, [Float(m)], abs: 1e-6)
  }

  // v = 0.25 · 4 = 1, a = 0.25 · 2 = 0.5; w = 3 - 0.5 · 2 / sqrt(1 - 0.25).
  @Test func oneCenteredStepWorkedByHand() {
    let w = makeParameter("w", [3], gradient: [2])
    let optimizer = RMSprop(learningRate: 0.5, rho: 0.75, epsilon: 0, isCentered: true)

    optimizer.update([w])

    expectClose(w.kerasValue.scalars, [Float(3 - 1 / 0.75.squareRoot())], abs: 1e-6)
    let slots = optimizer.state().slots
    #expect(slots.map(\.slotName) == ["velocity", "average_gradient"])
    #expect(slots.map(\.value.scalars) == [[1], [0.5]])
  }

  @Test func skipsNonTrainableParametersAndGivesThemNoSlots() {
    let trainable = makeParameter("w", [1], gradient: [1])
    let frozen = makeParameter("moving_mean", [5], gradient: [1], isTrainable: false)
    let optimizer = RMSprop()

    optimizer.update([trainable, frozen])

    #expect(frozen.kerasValue.scalars == [5])
    #expect(optimizer.state().slots.map(\.key) == ["w/velocity"])
  }

  @Test func updatesEveryElementOfALongParameter() {
    let count = 1_037
    let values = (0..<count).map { Float($0) }
    let w = makeParameter("w", values, gradient: [Float](repeating: 2, count: count))
    RMSprop(learningRate: 0.5, rho: 0.75, epsilon: 0).update([w])

    #expect(w.kerasValue.scalars == values.map { $0 - 1 })
  }

  /// Two steps over 200,003 elements (split over the OpenMP threads) give, element for element,
  /// the floats of a plain loop in Keras's operation order, for every variant.
  @Test(arguments: [(0.0, false), (0.5, false), (0.0, true), (0.5, true)])
  func longParametersMatchAPlainFloatLoop(momentum: Double, isCentered: Bool) {
    let count = 200_003
    var generator = SeededGenerator(seed: 12)
    let values = (0..<count).map { _ in generator.nextUnitFloat() * 2 - 1 }
    let gradients = (0..<2).map { _ in (0..<count).map { _ in generator.nextUnitFloat() - 0.5 } }
    let w = makeParameter("w", values)
    let optimizer = RMSprop(
      learningRate: 0.01, rho: 0.8, momentum: momentum, epsilon: 1e-7, isCentered: isCentered)
    let (lr, rho, oneMinusRho, eps, mu): (Float, Float, Float, Float, Float) = (
      0.01, 0.8, Float(1 - 0.8), 1e-7, Float(momentum)
    )
    var expected = values
    var v = [Float](repeating: 0, count: count)
    var m = v
    var a = v
    for g in gradients {
      setGradient(w, g)
      optimizer.update([w])
      for i in 0..<count {
        v[i] = rho * v[i] + oneMinusRho * (g[i] * g[i])
        var denominator = v[i] + eps
        if isCentered {
          a[i] = rho * a[i] + oneMinusRho * g[i]
          denominator = v[i] - a[i] * a[i] + eps
        }
        let increment = (lr * g[i]) / denominator.squareRoot()
        if momentum > 0 {
          m[i] = mu * m[i] + increment
          expected[i] = expected[i] - m[i]
        } else {
          expected[i] = expected[i] - increment
        }
      }
    }

    let actual = w.kerasValue.scalars
    let mismatches = (0..<count).filter { actual[$0].bitPattern != expected[$0].bitPattern }
    #expect(mismatches.isEmpty, "\(mismatches.count) differ, first at \(mismatches.first ?? -1)")
  }

  @Test func convergesOnAQuadratic() {
    let target: [Float] = [1.5, -2, 0.25, 3]
    let w = makeParameter("w", [0, 0, 0, 0])
    let optimizer = RMSprop(learningRate: 0.01)

    for _ in 0..<600 {
      setGradient(w, zip(w.kerasValue.scalars, target).map { $0 - $1 })
      optimizer.update([w])
    }

    expectClose(w.kerasValue.scalars, target, abs: 0.02)
  }
}
