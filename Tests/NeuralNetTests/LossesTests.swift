import Foundation
import TestSupport
import Testing

@testable import NeuralNet

@Suite struct LossesTests {
  /// Logits [0, ln 3]: softmax [1/4, 3/4]; label 1 gives loss -ln(3/4) and gradient
  /// [1/4, -1/4] (scale 1).
  @Test func crossEntropyOfAHandWorkedRow() {
    let logits: [Float] = [0, Float(log(3.0))]
    let labels: [Int32] = [1]
    var gradient: [Float] = [0, 0]
    let result = Losses.crossEntropy(
      logits: logits, labels: labels, rows: 1, classes: 2, gradient: &gradient, scale: 1)
    #expect(abs(result.sum + log(0.75)) < 1e-6)
    #expect(result.correct == 1)
    expectClose(gradient, [0.25, -0.25], rtol: 1e-6)
  }

  /// Logits of 1000 would overflow `exp` without subtracting the row maximum.
  @Test func largeLogitsStayFinite() {
    let logits: [Float] = [1000, 0, 1000, 998]
    var probabilities: [Float] = [0, 0, 0, 0]
    Losses.softmax(logits, rows: 2, classes: 2, into: &probabilities)
    let e2 = Float(exp(-2.0))
    expectClose(probabilities, [1, 0, 1 / (1 + e2), e2 / (1 + e2)], rtol: 1e-6)
    let result = Losses.crossEntropy(
      logits: logits, labels: [1, 0], rows: 2, classes: 2, gradient: nil, scale: 0)
    #expect(abs(result.sum - (1000 + log(1 + exp(-2.0)))) < 1e-3)
    #expect(result.correct == 1)
  }
}
