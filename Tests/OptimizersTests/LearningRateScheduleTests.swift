import Foundation
import Testing

@testable import Optimizers

/// `schedules.json`: Keras 3 schedules evaluated at chosen steps.
struct ScheduleFixtureFile: Decodable {
  struct Case: Decodable, Sendable, CustomTestStringConvertible {
    let name: String
    let schedule: String
    let steps: [Int]
    let learning_rates: [Float]
    var testDescription: String { name }
  }

  struct Tolerance: Decodable {
    let learning_rate_rel: Float
  }

  let tolerance: Tolerance
  let cases: [Case]

  static let loaded: ScheduleFixtureFile? = try? loadFixture(
    "schedules.json", as: ScheduleFixtureFile.self)
}

@Suite struct LearningRateScheduleTests {
  struct StepCase: Sendable, CustomTestStringConvertible {
    let name: String
    let schedule: LearningRateSchedule
    let steps: [Int]
    let expected: [Float]
    var testDescription: String { name }
  }

  @Test(arguments: [
    StepCase(
      name: "constant", schedule: 0.25, steps: [0, 1, 1_000_000], expected: [0.25, 0.25, 0.25]),
    // Boundaries are inclusive on the left value: step 10 still gets 0.1.
    StepCase(
      name: "piecewise",
      schedule: .piecewiseConstant(boundaries: [10, 20], values: [1, 0.5, 0.25]),
      steps: [0, 10, 11, 20, 21, 500], expected: [1, 1, 0.5, 0.5, 0.25, 0.25]),
    // 2 · 0.5^(step / 4), the exponent rounded down in staircase mode.
    StepCase(
      name: "staircase",
      schedule: .exponentialDecay(
        initialLearningRate: 2, decaySteps: 4, decayRate: 0.5, isStaircase: true),
      steps: [0, 3, 4, 7, 8, 12], expected: [2, 2, 1, 1, 0.5, 0.25]),
    StepCase(
      name: "exponential",
      schedule: .exponentialDecay(
        initialLearningRate: 2, decaySteps: 4, decayRate: 0.5, isStaircase: false),
      steps: [0, 2, 4, 8], expected: [2, Float(2 / 2.0.squareRoot()), 1, 0.5]),
    // 1 · ((1 - 0.2) · ½(1 + cos(π · step / 100)) + 0.2), held at 0.2 after step 100.
    StepCase(
      name: "cosine", schedule: .cosineDecay(initialLearningRate: 1, decaySteps: 100, alpha: 0.2),
      steps: [0, 50, 100, 1000], expected: [1, 0.6, 0.2, 0.2]),
    // Linear warmup from 0 to 0.5 over 10 steps, then cosine decay to 0 over 20 steps.
    StepCase(
      name: "cosine with warmup",
      schedule: .cosineDecay(
        initialLearningRate: 0, decaySteps: 20, alpha: 0, warmupTarget: 0.5, warmupSteps: 10),
      steps: [0, 5, 10, 20, 30, 99], expected: [0, 0.25, 0.5, 0.25, 0, 0]),
  ])
  func givesTheRateAtChosenSteps(_ c: StepCase) {
    let rates = c.steps.map { c.schedule.learningRate(atStep: $0) }
    expectClose(rates, c.expected, abs: 1e-7, rel: 1e-6, c.name)
  }

  @Test(arguments: ScheduleFixtureFile.loaded?.cases ?? [])
  func matchesKeras(_ fixture: ScheduleFixtureFile.Case) throws {
    let tolerance = try #require(ScheduleFixtureFile.loaded).tolerance
    let schedule: LearningRateSchedule =
      switch fixture.name {
      case "exponential_decay":
        .exponentialDecay(
          initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.5, isStaircase: false)
      case "exponential_decay_staircase":
        .exponentialDecay(
          initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.5, isStaircase: true)
      case "piecewise_constant":
        .piecewiseConstant(boundaries: [10, 100], values: [0.1, 0.01, 0.001])
      case "cosine_decay":
        .cosineDecay(initialLearningRate: 0.1, decaySteps: 100, alpha: 0.1)
      default:
        .cosineDecay(
          initialLearningRate: 0, decaySteps: 100, alpha: 0, warmupTarget: 0.1, warmupSteps: 10)
      }

    let rates = fixture.steps.map { schedule.learningRate(atStep: $0) }

    expectClose(
      rates, fixture.learning_rates, abs: 1e-12, rel: tolerance.learning_rate_rel,
      fixture.name)
  }

  @Test func fixtureFileHoldsEverySchedule() throws {
    let file = try #require(ScheduleFixtureFile.loaded)
    #expect(file.cases.count == 5)
  }

  @Test func optimizerReadsTheScheduleAtItsIterationCount() {
    let w = makeParameter("w", [0], gradient: [1])
    let optimizer = SGD(learningRate: .piecewiseConstant(boundaries: [0, 1], values: [1, 2, 4]))

    #expect(optimizer.learningRate == 1)
    optimizer.update([w])
    #expect(optimizer.learningRate == 2)
    optimizer.update([w])
    #expect(optimizer.learningRate == 4)
    optimizer.update([w])

    #expect(w.kerasValue.scalars == [-7])
  }

  @Test(arguments: [
    LearningRateSchedule.constant(0.001),
    .piecewiseConstant(boundaries: [5], values: [0.1, 0.01]),
    .exponentialDecay(initialLearningRate: 0.1, decaySteps: 3, decayRate: 0.9, isStaircase: true),
    .cosineDecay(initialLearningRate: 0.1, decaySteps: 7, alpha: 0.5),
    .cosineDecay(
      initialLearningRate: 0, decaySteps: 7, alpha: 0, warmupTarget: 0.2, warmupSteps: 3),
  ])
  func survivesAJSONRoundTrip(_ schedule: LearningRateSchedule) throws {
    let data = try JSONEncoder().encode(schedule)
    #expect(try JSONDecoder().decode(LearningRateSchedule.self, from: data) == schedule)
  }

  @Test func encodesLikeKeras() throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = .sortedKeys
    let constant = String(
      decoding: try encoder.encode(LearningRateSchedule.constant(0.5)), as: UTF8.self)
    let cosine = String(
      decoding: try encoder.encode(
        LearningRateSchedule.cosineDecay(initialLearningRate: 0.5, decaySteps: 10)),
      as: UTF8.self)

    #expect(constant == "0.5")
    #expect(
      cosine == #"{"class_name":"CosineDecay","config":{"alpha":0,"decay_steps":10,"#
        + #""initial_learning_rate":0.5,"warmup_steps":0}}"#)
  }

  @Test func rejectsAnUnknownScheduleClass() {
    let json = Data(#"{"class_name":"InverseTimeDecay","config":{}}"#.utf8)
    #expect(throws: DecodingError.self) {
      try JSONDecoder().decode(LearningRateSchedule.self, from: json)
    }
  }
}
