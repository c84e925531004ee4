import TensorCore

/// Stochastic gradient descent with optional (Nesterov) momentum, with the Keras 3 update rule
/// and defaults.
///
/// For each element, with gradient `g`, learning rate `lr` from the schedule and velocity `m`:
///
/// ```
/// w = w - g · lr                                   (momentum 0)
/// m = m · momentum - g · lr;  w = w + m            (momentum)
/// m = m · momentum - g · lr;  w = w + m · momentum - g · lr   (Nesterov)
/// ```
///
/// Slots: `momentum` when momentum is not 0, none otherwise.
public final class SGD: Optimizer {
  /// SGD's hyperparameters, with Keras 3 defaults; encoded with Keras's argument names.
  public struct Configuration: Sendable, Equatable, Codable {
    /// The learning rate or its schedule; default 0.01.
    public var learningRateSchedule: LearningRateSchedule
    /// The momentum factor; default 0.
    public var momentum: Double
    /// Whether to use Nesterov momentum; default false.
    public var isNesterov: Bool

    /// Creates a configuration; every argument defaults to Keras 3's value.
    /// - Precondition: `momentum` in [0, 1] and a valid schedule.
    public init(
      learningRate: LearningRateSchedule = 0.01, momentum: Double = 0, isNesterov: Bool = false
    ) {
      if let problem = Self.problem(learningRate, momentum) { preconditionFailure(problem) }
      self.learningRateSchedule = learningRate
      self.momentum = momentum
      self.isNesterov = isNesterov
    }

    /// Reads Keras's config keys; a missing key takes its Keras default.
    /// - Throws: `DecodingError` for a value of the wrong type or out of range.
    public init(from decoder: any Decoder) throws {
      let container = try decoder.container(keyedBy: CodingKeys.self)
      let defaults = Configuration()
      learningRateSchedule =
        try container.decodeIfPresent(LearningRateSchedule.self, forKey: .learningRateSchedule)
        ?? defaults.learningRateSchedule
      momentum = try container.decodeIfPresent(Double.self, forKey: .momentum) ?? defaults.momentum
      isNesterov =
        try container.decodeIfPresent(Bool.self, forKey: .isNesterov) ?? defaults.isNesterov
      if let problem = Self.problem(learningRateSchedule, momentum) {
        throw DecodingError.dataCorrupted(
          .init(codingPath: decoder.codingPath, debugDescription: problem))
      }
    }

    /// What is wrong with these hyperparameters, or `nil` when Keras would accept them.
    private static func problem(_ schedule: LearningRateSchedule, _ momentum: Double) -> String? {
      if !(0...1).contains(momentum) { return "SGD momentum must be in [0, 1], got \(momentum)" }
      return schedule.problem
    }

    private enum CodingKeys: String, CodingKey {
      case learningRateSchedule = "learning_rate"
      case momentum
      case isNesterov = "nesterov"
    }
  }

  /// The hyperparameters.
  public let settings: Configuration
  /// Updates applied so far.
  public private(set) var iterations = 0
  private var slots: SlotTable

  /// Creates an SGD optimizer; every argument defaults to Keras 3's value.
  /// - Parameters:
  ///   - learningRate: a rate or schedule; default 0.01.
  ///   - momentum: default 0.
  ///   - isNesterov: default false.
  /// - Precondition: `momentum` in [0, 1] and a valid schedule.
  public convenience init(
    learningRate: LearningRateSchedule = 0.01, momentum: Double = 0, isNesterov: Bool = false
  ) {
    self.init(Configuration(learningRate: learningRate, momentum: momentum, isNesterov: isNesterov))
  }

  /// Creates an SGD optimizer from a configuration.
  /// - Parameter settings: the hyperparameters.
  public init(_ settings: Configuration) {
    self.settings = settings
    slots = SlotTable(slotNames: settings.momentum != 0 ? ["momentum"] : [])
  }

  /// `.sgd(settings)`.
  public var configuration: OptimizerConfiguration { .sgd(settings) }

  /// Applies one SGD update to every trainable parameter and advances ``iterations``.
  /// - Parameter parameters: the parameters with their gradients; names must be unique.
  public func update(_ parameters: [Parameter]) {
    let lr = settings.learningRateSchedule.learningRate(atStep: iterations)
    let momentum = Float(settings.momentum)
    for parameter in parameters where parameter.isTrainable {
      let buffers = slots.buffers(for: parameter)
      let w = parameter.value
      let g = UnsafePointer(parameter.gradient)
      let n = parameter.storageCount
      if settings.momentum == 0 {
        Self.plain(w, g, n, lr)
      } else if settings.isNesterov {
        Self.nesterov(w, g, n, velocity: buffers[0], lr, momentum)
      } else {
        Self.withMomentum(w, g, n, velocity: buffers[0], lr, momentum)
      }
    }
    iterations += 1
  }

  /// The configuration, iteration count and slots in Keras layout.
  public func state() -> OptimizerState {
    OptimizerState(configuration: configuration, iterations: iterations, slots: slots.export())
  }

  /// Replaces the iteration count and slots with saved ones.
  /// - Parameters:
  ///   - state: SGD state from ``state()``.
  ///   - parameters: the parameters the slots belong to.
  /// - Throws: ``OptimizerError`` when the state is from another optimizer or its slots do not
  ///   match the trainable parameters.
  public func restore(_ state: OptimizerState, parameters: [Parameter]) throws(OptimizerError) {
    try validateHeader(of: state, for: configuration)
    try slots.restore(state.slots, iterations: state.iterations, parameters: parameters)
    iterations = state.iterations
  }

  // MARK: - Kernels

  private static func plain(
    _ w: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, _ n: Int, _ lr: Float
  ) {
    for i in 0..<n {
      w[i] -= g[i] * lr
    }
  }

  private static func withMomentum(
    _ w: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, _ n: Int,
    velocity m: UnsafeMutablePointer<Float>, _ lr: Float, _ momentum: Float
  ) {
    for i in 0..<n {
      let mi = m[i] * momentum - g[i] * lr
      m[i] = mi
      w[i] += mi
    }
  }

  private static func nesterov(
    _ w: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, _ n: Int,
    velocity m: UnsafeMutablePointer<Float>, _ lr: Float, _ momentum: Float
  ) {
    for i in 0..<n {
      let step = g[i] * lr
      let mi = m[i] * momentum - step
      m[i] = mi
      w[i] += mi * momentum - step
    }
  }
}
