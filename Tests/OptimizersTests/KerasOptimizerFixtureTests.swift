import Foundation
import TensorCore
import Testing

@testable import Optimizers

/// `optimizers.json`: three Keras 3 steps per optimizer variant.
struct OptimizerFixtureFile: Decodable {
  struct Config: Decodable, Sendable {
    let learning_rate: Double
    let rho: Double?
    let momentum: Double?
    let epsilon: Double?
    let centered: Bool?
    let nesterov: Bool?
    let beta_1: Double?
    let beta_2: Double?
    let amsgrad: Bool?
  }

  struct Case: Decodable, Sendable, CustomTestStringConvertible {
    let name: String
    let optimizer: String
    let config: Config
    let weight: FixtureTensor
    let gradients: [FixtureTensor]
    let weights_after_step: [FixtureTensor]
    let iterations: Int
    let slots: [String: FixtureTensor]

    var testDescription: String { name }
  }

  let cases: [Case]

  static let loaded: OptimizerFixtureFile? = try? loadFixture(
    "optimizers.json", as: OptimizerFixtureFile.self)
}

@Suite struct KerasOptimizerFixtureTests {
  /// Builds our optimizer from a fixture's Keras config.
  static func makeOptimizer(_ fixture: OptimizerFixtureFile.Case) -> any Optimizer {
    let c = fixture.config
    let rate = LearningRateSchedule.constant(c.learning_rate)
    switch fixture.optimizer {
    case "RMSprop":
      return RMSprop(
        learningRate: rate, rho: c.rho ?? 0.9, momentum: c.momentum ?? 0,
        epsilon: c.epsilon ?? 1e-7, isCentered: c.centered ?? false)
    case "SGD":
      return SGD(learningRate: rate, momentum: c.momentum ?? 0, isNesterov: c.nesterov ?? false)
    default:
      return Adam(
        learningRate: rate, beta1: c.beta_1 ?? 0.9, beta2: c.beta_2 ?? 0.999,
        epsilon: c.epsilon ?? 1e-7, isAMSGrad: c.amsgrad ?? false)
    }
  }

  @Test func fixtureFileHoldsEveryVariant() throws {
    let file = try #require(OptimizerFixtureFile.loaded)
    #expect(
      file.cases.map(\.name) == [
        "rmsprop", "rmsprop_momentum", "rmsprop_centered", "rmsprop_centered_momentum", "sgd",
        "sgd_momentum", "sgd_nesterov", "adam", "adam_amsgrad",
      ])
  }

  // The fixture stores these values exactly, and the kernels follow Keras's float32 operation
  // order, so the results agree bit for bit (well inside the fixture's stated tolerance).
  @Test(arguments: OptimizerFixtureFile.loaded?.cases ?? [])
  func threeStepsMatchKerasBitForBit(_ fixture: OptimizerFixtureFile.Case) throws {
    let parameter = makeParameter("w", fixture.weight.values)
    let optimizer = Self.makeOptimizer(fixture)

    for (step, (gradient, expected)) in zip(fixture.gradients, fixture.weights_after_step)
      .enumerated()
    {
      setGradient(parameter, gradient.values)
      optimizer.update([parameter])
      #expect(parameter.kerasValue.scalars == expected.values, "step \(step + 1)")
    }
    #expect(optimizer.iterations == fixture.iterations)

    let slots = optimizer.state().slots
    #expect(Set(slots.map(\.slotName)) == Set(fixture.slots.keys))
    for slot in slots {
      let expected = try #require(fixture.slots[slot.slotName])
      #expect(slot.value.scalars == expected.values, "slot \(slot.slotName)")
    }
  }
}

/// The parts of `model.json` an optimizer test needs: weights, their Keras gradients and the
/// weights after one Keras RMSprop step.
struct ModelStepFixture: Decodable {
  struct Tolerance: Decodable {
    let updated_weight_abs: Float
  }

  struct Training: Decodable {
    let gradients: [String: FixtureTensor]
  }

  struct Step: Decodable {
    let updated_weights: [String: FixtureTensor]
  }

  let tolerance: Tolerance
  let weights: [String: FixtureTensor]
  let training: Training
  let rmsprop_step: Step

  static let loaded: ModelStepFixture? = try? loadFixture("model.json", as: ModelStepFixture.self)
}

extension KerasOptimizerFixtureTests {
  @Test func rmspropStepOnTheTinyModelMatchesKeras() throws {
    let fixture = try #require(ModelStepFixture.loaded)
    let parameters = fixture.weights.keys.sorted().map { name in
      let tensor = fixture.weights[name]!
      let parameter = Parameter(
        name: name, shape: tensor.shape, isTrainable: !name.contains("/moving_"))
      parameter.setKerasValue(Tensor(shape: tensor.shape, scalars: tensor.values))
      if let gradient = fixture.training.gradients[name] {
        setGradient(parameter, gradient.values)
      }
      return parameter
    }
    #expect(parameters.filter(\.isTrainable).count == fixture.training.gradients.count)

    RMSprop().update(parameters)

    for parameter in parameters {
      let expected =
        fixture.rmsprop_step.updated_weights[parameter.name]
        ?? fixture.weights[parameter.name]!
      expectClose(
        parameter.kerasValue.scalars, expected.values, abs: fixture.tolerance.updated_weight_abs,
        parameter.name)
    }
  }
}
