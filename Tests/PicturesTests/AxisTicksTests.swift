import Testing

@testable import Pictures

@Suite struct AxisTicksTests {
  struct Case: Sendable, CustomTestStringConvertible {
    var lower: Double
    var upper: Double
    var targetCount = 5
    var integerSteps = false
    var isTight = false
    var labels: [String]
    var domain: ClosedRange<Double>
    var testDescription: String { "\(lower)...\(upper) tight \(isTight)" }
  }

  @Test(arguments: [
    Case(lower: 0, upper: 1, labels: ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"], domain: 0...1),
    Case(
      lower: 0.13, upper: 0.97, labels: ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"], domain: 0...1),
    Case(lower: 0.3, upper: 2.4, labels: ["0", "1", "2", "3"], domain: 0...3),
    Case(
      lower: 0.0123, upper: 0.0456, labels: ["0.01", "0.02", "0.03", "0.04", "0.05"],
      domain: 0.01...0.05),
    Case(lower: -7, upper: 12, labels: ["-10", "-5", "0", "5", "10", "15"], domain: -10...15),
    Case(
      lower: 1200, upper: 8900, labels: ["0", "2000", "4000", "6000", "8000", "10000"],
      domain: 0...10000),
    // An empty range is widened by half the value's order of magnitude.
    Case(
      lower: 0.85, upper: 0.85, labels: ["0.80", "0.82", "0.84", "0.86", "0.88", "0.90"],
      domain: 0.8...0.9),
    Case(lower: 0, upper: 0, labels: ["-1.0", "-0.5", "0.0", "0.5", "1.0"], domain: -1...1),
    // Reversed and non-finite bounds, and a span too wide for a Double.
    Case(
      lower: -1e308, upper: 1e308, labels: ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"], domain: 0...1
    ),
    Case(lower: 10, upper: 0, labels: ["0", "2", "4", "6", "8", "10"], domain: 0...10),
    Case(lower: .nan, upper: 3, labels: ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"], domain: 0...1),
    // Epoch axes: whole steps, tight to the data.
    Case(
      lower: 1, upper: 15, targetCount: 6, integerSteps: true, isTight: true,
      labels: ["5", "10", "15"], domain: 1...15),
    Case(
      lower: 1, upper: 3, targetCount: 6, integerSteps: true, isTight: true,
      labels: ["1", "2", "3"], domain: 1...3),
    Case(
      lower: 1, upper: 1, targetCount: 6, integerSteps: true, labels: ["0", "1", "2"], domain: 0...2
    ),
  ])
  func niceTicksCoverTheRange(_ test: Case) {
    let ticks = AxisTicks(
      lower: test.lower, upper: test.upper, targetCount: test.targetCount,
      integerSteps: test.integerSteps, isTight: test.isTight)
    #expect(ticks.labels == test.labels)
    #expect(abs(ticks.lower - test.domain.lowerBound) < 1e-12)
    #expect(abs(ticks.upper - test.domain.upperBound) < 1e-12)
  }

  @Test func tickValuesAreExactMultiplesOfTheStep() {
    let ticks = AxisTicks(lower: 0.1, upper: 0.7, targetCount: 11)
    #expect(ticks.step == 0.1)
    #expect(ticks.values.count == 7)
    for (k, value) in ticks.values.enumerated() {
      #expect(abs(value - Double(k + 1) * 0.1) < 1e-12)
    }
  }

  @Test func negativeZeroIsLabelledZero() {
    let ticks = AxisTicks(lower: -1, upper: 1)
    #expect(ticks.label(for: -0.0) == "0.0")
    #expect(ticks.label(for: -1e-17) == "0.0")
  }

  @Test(arguments: [
    (0.84, false, 1.0), (2.1, false, 5.0), (9.0, false, 10.0), (0.25, true, 0.2),
    (1.25, true, 1.0), (3.5, true, 5.0), (7.5, true, 10.0),
  ])
  func niceNumberPicksOneTwoOrFive(x: Double, rounding: Bool, expected: Double) {
    #expect(abs(AxisTicks.nice(x, rounding: rounding) - expected) < 1e-12)
  }
}
