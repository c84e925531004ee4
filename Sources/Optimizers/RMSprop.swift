import CKernels
import TensorCore

/// RMSprop (Tieleman & Hinton, 2012) with the Keras 3 update rule and defaults.
///
/// For each element, with gradient `g`, learning rate `lr` from the schedule, velocity `v`,
/// average gradient `a` (centered only) and momentum `m` (momentum > 0 only):
///
/// ```
/// v = rho · v + (1 - rho) · g²
/// a = rho · a + (1 - rho) · g                       (centered)
/// d = v + epsilon            or  d = v - a² + epsilon   (centered)
/// increment = lr · g / sqrt(d)
/// w = w - increment          or  m = momentum · m + increment; w = w - m
/// ```
///
/// Slots: `velocity`, then `momentum` when momentum > 0, then `average_gradient` when centered.
public final class RMSprop: Optimizer {
  /// RMSprop's hyperparameters, with Keras 3 defaults; encoded with Keras's argument names.
  public struct Configuration: Sendable, Equatable, Codable {
    /// The learning rate or its schedule; default 0.001.
    public var learningRateSchedule: LearningRateSchedule
    /// The decay of the moving averages; default 0.9.
    public var rho: Double
    /// The momentum factor; default 0 (no momentum slot).
    public var momentum: Double
    /// Added to the averaged square inside the square root; default 1e-7.
    public var epsilon: Double
    /// Whether to divide by the estimated variance instead of the raw second moment; default
    /// false.
    public var isCentered: Bool

    /// Creates a configuration; every argument defaults to Keras 3's value.
    /// - Precondition: `rho` in [0, 1), `momentum` in [0, 1], `epsilon` ≥ 0, a valid schedule.
    public init(
      learningRate: LearningRateSchedule = 0.001, rho: Double = 0.9, momentum: Double = 0,
      epsilon: Double = 1e-7, isCentered: Bool = false
    ) {
      if let problem = Self.problem(learningRate, rho, momentum, epsilon) {
        preconditionFailure(problem)
      }
      self.learningRateSchedule = learningRate
      self.rho = rho
      self.momentum = momentum
      self.epsilon = epsilon
      self.isCentered = isCentered
    }

    /// Reads Keras's config keys; a missing key takes its Keras default.
    /// - Throws: `DecodingError` for a value of the wrong type or out of range.
    public init(from decoder: any Decoder) throws {
      let container = try decoder.container(keyedBy: CodingKeys.self)
      let defaults = Configuration()
      learningRateSchedule =
        try container.decodeIfPresent(LearningRateSchedule.self, forKey: .learningRateSchedule)
        ?? defaults.learningRateSchedule
      rho = try container.decodeIfPresent(Double.self, forKey: .rho) ?? defaults.rho
      momentum = try container.decodeIfPresent(Double.self, forKey: .momentum) ?? defaults.momentum
      epsilon = try container.decodeIfPresent(Double.self, forKey: .epsilon) ?? defaults.epsilon
      isCentered =
        try container.decodeIfPresent(Bool.self, forKey: .isCentered) ?? defaults.isCentered
      if let problem = Self.problem(learningRateSchedule, rho, momentum, epsilon) {
        throw DecodingError.dataCorrupted(
          .init(codingPath: decoder.codingPath, debugDescription: problem))
      }
    }

    /// What is wrong with these hyperparameters, or `nil` when Keras would accept them.
    private static func problem(
      _ schedule: LearningRateSchedule, _ rho: Double, _ momentum: Double, _ epsilon: Double
    ) -> String? {
      if !(0..<1).contains(rho) { return "RMSprop rho must be in [0, 1), got \(rho)" }
      if !(0...1).contains(momentum) {
        return "RMSprop momentum must be in [0, 1], got \(momentum)"
      }
      if !(epsilon >= 0) { return "RMSprop epsilon must be 0 or more, got \(epsilon)" }
      return schedule.problem
    }

    private enum CodingKeys: String, CodingKey {
      case learningRateSchedule = "learning_rate"
      case rho, momentum, epsilon
      case isCentered = "centered"
    }
  }

  /// The hyperparameters.
  public let settings: Configuration
  /// Updates applied so far.
  public private(set) var iterations = 0
  private var slots: SlotTable

  /// Creates an RMSprop optimizer; every argument defaults to Keras 3's value.
  /// - Parameters:
  ///   - learningRate: a rate or schedule; default 0.001.
  ///   - rho: the decay of the moving averages; default 0.9.
  ///   - momentum: default 0.
  ///   - epsilon: default 1e-7, inside the square root as in Keras 3.
  ///   - isCentered: default false.
  /// - Precondition: `rho` in [0, 1), `momentum` in [0, 1], `epsilon` ≥ 0, a valid schedule.
  public convenience init(
    learningRate: LearningRateSchedule = 0.001, rho: Double = 0.9, momentum: Double = 0,
    epsilon: Double = 1e-7, isCentered: Bool = false
  ) {
    self.init(
      Configuration(
        learningRate: learningRate, rho: rho, momentum: momentum, epsilon: epsilon,
        isCentered: isCentered))
  }

  /// Creates an RMSprop optimizer from a configuration.
  /// - Parameter settings: the hyperparameters.
  public init(_ settings: Configuration) {
    self.settings = settings
    var names = ["velocity"]
    if settings.momentum > 0 { names.append("momentum") }
    if settings.isCentered { names.append("average_gradient") }
    slots = SlotTable(slotNames: names)
  }

  /// `.rmsprop(settings)`.
  public var configuration: OptimizerConfiguration { .rmsprop(settings) }

  // Note: Keras 2 (the 2017 reference) added epsilon outside the square root,
  // `lr · g / (sqrt(v) + epsilon)` (epsilon 1e-8 in Keras 2.0, `K.epsilon()` = 1e-7 later).
  // Keras 3 adds it inside, `lr · g / sqrt(v + epsilon)`, and that is what this follows. The two
  // differ only where the averaged square is near epsilon (gradients below about 1e-3), where
  // Keras 3 takes smaller steps.

  /// Applies one RMSprop update to every trainable parameter and advances ``iterations``.
  /// - Parameter parameters: the parameters with their gradients; names must be unique.
  public func update(_ parameters: [Parameter]) {
    let coefficients = rmsprop_coefficients(
      learning_rate: settings.learningRateSchedule.learningRate(atStep: iterations),
      rho: Float(settings.rho),
      // Keras forms `1 - rho` in Python (double precision), then rounds it to float32.
      one_minus_rho: Float(1 - settings.rho),
      epsilon: Float(settings.epsilon),
      momentum: Float(settings.momentum))
    for parameter in parameters where parameter.isTrainable {
      let buffers = slots.buffers(for: parameter)
      let momentum = settings.momentum > 0 ? buffers[1] : nil
      let average = settings.isCentered ? buffers[buffers.count - 1] : nil
      rmsprop_update(
        parameter.value, parameter.gradient, buffers[0], momentum, average,
        parameter.storageCount, coefficients)
    }
    iterations += 1
  }

  /// The configuration, iteration count and slots in Keras layout.
  public func state() -> OptimizerState {
    OptimizerState(configuration: configuration, iterations: iterations, slots: slots.export())
  }

  /// Replaces the iteration count and slots with saved ones.
  /// - Parameters:
  ///   - state: RMSprop state from ``state()``.
  ///   - parameters: the parameters the slots belong to.
  /// - Throws: ``OptimizerError`` when the state is from another optimizer or its slots do not
  ///   match the trainable parameters.
  public func restore(_ state: OptimizerState, parameters: [Parameter]) throws(OptimizerError) {
    try validateHeader(of: state, for: configuration)
    try slots.restore(state.slots, iterations: state.iterations, parameters: parameters)
    iterations = state.iterations
  }
}
