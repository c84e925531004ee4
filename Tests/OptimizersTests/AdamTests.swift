import TensorCore
import Testing

@testable import Optimizers

@Suite struct AdamTests {
  @Test func defaultsAreKeras3Defaults() {
    let settings = Adam().settings
    #expect(settings.learningRateSchedule == .constant(0.001))
    #expect(settings.beta1 == 0.9)
    #expect(settings.beta2 == 0.999)
    #expect(settings.epsilon == 1e-7)
    #expect(settings.isAMSGrad == false)
  }

  // Step 1: m = 0.1 g, v = 0.001 g², alpha = lr · sqrt(0.001) / 0.1, so with epsilon 0 the step
  // is lr · sign(g) whatever the gradient's size.
  @Test func firstStepMovesByTheLearningRateWorkedByHand() {
    let w = makeParameter("w", [1, 1, 1], gradient: [3, -0.5, 100])
    let optimizer = Adam(learningRate: 0.01, epsilon: 0)

    optimizer.update([w])

    expectClose(w.kerasValue.scalars, [0.99, 1.01, 0.99], abs: 1e-6)
    let slots = optimizer.state().slots
    #expect(slots.map(\.slotName) == ["momentum", "velocity"])
    expectClose(slots[0].value.scalars, [0.3, -0.05, 10], abs: 0, rel: 1e-6)
    expectClose(slots[1].value.scalars, [0.009, 0.00025, 10], abs: 0, rel: 1e-5)
  }

  // Step 2 with g = 1 then 0: m = 0.09, v = 0.000999, alpha = lr · sqrt(1 - 0.999²) / (1 - 0.9²).
  @Test func secondStepUsesBiasCorrectionWorkedByHand() {
    let w = makeParameter("w", [0], gradient: [1])
    let optimizer = Adam(learningRate: 0.1, epsilon: 0)
    optimizer.update([w])
    let afterFirst = w.kerasValue.scalars[0]
    setGradient(w, [0])

    optimizer.update([w])

    let alpha = 0.1 * (1 - 0.999 * 0.999).squareRoot() / (1 - 0.9 * 0.9)
    let expected = Double(afterFirst) - 0.09 * alpha / 0.000999.squareRoot()
    expectClose(w.kerasValue.scalars, [Float(expected)], abs: 1e-6)
  }

  // A large then a small gradient: v̂ keeps the larger second moment.
  @Test func amsgradKeepsTheLargestSecondMoment() {
    let w = makeParameter("w", [0], gradient: [10])
    let optimizer = Adam(learningRate: 0.1, isAMSGrad: true)
    optimizer.update([w])
    setGradient(w, [0.1])

    optimizer.update([w])

    let slots = optimizer.state().slots
    #expect(slots.map(\.slotName) == ["momentum", "velocity", "velocity_hat"])
    let v = slots[1].value.scalars[0]
    let vHat = slots[2].value.scalars[0]
    expectClose([vHat], [0.1], abs: 0, rel: 1e-5)
    #expect(v < vHat)
  }

  @Test(arguments: [false, true])
  func convergesOnAQuadratic(isAMSGrad: Bool) {
    let target: [Float] = [1.5, -2, 0.25, 3]
    let w = makeParameter("w", [0, 0, 0, 0])
    let optimizer = Adam(learningRate: 0.05, isAMSGrad: isAMSGrad)

    for _ in 0..<800 {
      setGradient(w, zip(w.kerasValue.scalars, target).map { $0 - $1 })
      optimizer.update([w])
    }

    expectClose(w.kerasValue.scalars, target, abs: 0.01)
  }
}
