#if canImport(Glibc)
  import Glibc
#else
  import Darwin
#endif
import TensorCore

/// Adam (Kingma & Ba, 2015) with optional AMSGrad (Reddi et al., 2018), with the Keras 3
/// update rule and defaults.
///
/// For update number `t = iterations + 1`, with gradient `g`, learning rate `lr` from the
/// schedule, first moment `m` and second moment `v`:
///
/// ```
/// alpha = lr · sqrt(1 - beta2^t) / (1 - beta1^t)
/// m = m + (g - m) · (1 - beta1)
/// v = v + (g² - v) · (1 - beta2)
/// v̂ = max(v̂, v)                                    (amsgrad; then v̂ replaces v below)
/// w = w - (m · alpha) / (sqrt(v) + epsilon)
/// ```
///
/// Slots: `momentum` (m), `velocity` (v), then `velocity_hat` (v̂) with amsgrad.
public final class Adam: Optimizer {
  /// Adam's hyperparameters, with Keras 3 defaults; encoded with Keras's argument names.
  public struct Configuration: Sendable, Equatable, Codable {
    /// The learning rate or its schedule; default 0.001.
    public var learningRateSchedule: LearningRateSchedule
    /// The decay of the first moment; default 0.9.
    public var beta1: Double
    /// The decay of the second moment; default 0.999.
    public var beta2: Double
    /// Added to the square root of the second moment; default 1e-7.
    public var epsilon: Double
    /// Whether to use the running maximum of the second moment (AMSGrad); default false.
    public var isAMSGrad: Bool

    /// Creates a configuration; every argument defaults to Keras 3's value.
    /// - Precondition: `beta1` and `beta2` in [0, 1), `epsilon` ≥ 0, a valid schedule.
    public init(
      learningRate: LearningRateSchedule = 0.001, beta1: Double = 0.9, beta2: Double = 0.999,
      epsilon: Double = 1e-7, isAMSGrad: Bool = false
    ) {
      if let problem = Self.problem(learningRate, beta1, beta2, epsilon) {
        preconditionFailure(problem)
      }
      self.learningRateSchedule = learningRate
      self.beta1 = beta1
      self.beta2 = beta2
      self.epsilon = epsilon
      self.isAMSGrad = isAMSGrad
    }

    /// Reads Keras's config keys; a missing key takes its Keras default.
    /// - Throws: `DecodingError` for a value of the wrong type or out of range.
    public init(from decoder: any Decoder) throws {
      let container = try decoder.container(keyedBy: CodingKeys.self)
      let defaults = Configuration()
      learningRateSchedule =
        try container.decodeIfPresent(LearningRateSchedule.self, forKey: .learningRateSchedule)
        ?? defaults.learningRateSchedule
      beta1 = try container.decodeIfPresent(Double.self, forKey: .beta1) ?? defaults.beta1
      beta2 = try container.decodeIfPresent(Double.self, forKey: .beta2) ?? defaults.beta2
      epsilon = try container.decodeIfPresent(Double.self, forKey: .epsilon) ?? defaults.epsilon
      isAMSGrad =
        try container.decodeIfPresent(Bool.self, forKey: .isAMSGrad) ?? defaults.isAMSGrad
      if let problem = Self.problem(learningRateSchedule, beta1, beta2, epsilon) {
        throw DecodingError.dataCorrupted(
          .init(codingPath: decoder.codingPath, debugDescription: problem))
      }
    }

    /// What is wrong with these hyperparameters, or `nil` when Keras would accept them.
    private static func problem(
      _ schedule: LearningRateSchedule, _ beta1: Double, _ beta2: Double, _ epsilon: Double
    ) -> String? {
      if !((0..<1).contains(beta1) && (0..<1).contains(beta2)) {
        return "Adam beta1 and beta2 must be in [0, 1), got \(beta1) and \(beta2)"
      }
      if !(epsilon >= 0) { return "Adam epsilon must be 0 or more, got \(epsilon)" }
      return schedule.problem
    }

    private enum CodingKeys: String, CodingKey {
      case learningRateSchedule = "learning_rate"
      case beta1 = "beta_1"
      case beta2 = "beta_2"
      case epsilon
      case isAMSGrad = "amsgrad"
    }
  }

  /// The hyperparameters.
  public let settings: Configuration
  /// Updates applied so far.
  public private(set) var iterations = 0
  private var slots: SlotTable

  /// Creates an Adam optimizer; every argument defaults to Keras 3's value.
  /// - Parameters:
  ///   - learningRate: a rate or schedule; default 0.001.
  ///   - beta1: default 0.9.
  ///   - beta2: default 0.999.
  ///   - epsilon: default 1e-7.
  ///   - isAMSGrad: default false.
  /// - Precondition: `beta1` and `beta2` in [0, 1), `epsilon` ≥ 0, a valid schedule.
  public convenience init(
    learningRate: LearningRateSchedule = 0.001, beta1: Double = 0.9, beta2: Double = 0.999,
    epsilon: Double = 1e-7, isAMSGrad: Bool = false
  ) {
    self.init(
      Configuration(
        learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon,
        isAMSGrad: isAMSGrad))
  }

  /// Creates an Adam optimizer from a configuration.
  /// - Parameter settings: the hyperparameters.
  public init(_ settings: Configuration) {
    self.settings = settings
    var names = ["momentum", "velocity"]
    if settings.isAMSGrad { names.append("velocity_hat") }
    slots = SlotTable(slotNames: names)
  }

  /// `.adam(settings)`.
  public var configuration: OptimizerConfiguration { .adam(settings) }

  /// Applies one Adam update to every trainable parameter and advances ``iterations``.
  /// - Parameter parameters: the parameters with their gradients; names must be unique.
  public func update(_ parameters: [Parameter]) {
    let lr = settings.learningRateSchedule.learningRate(atStep: iterations)
    let step = Float(iterations + 1)
    let beta1Power = powf(Float(settings.beta1), step)
    let beta2Power = powf(Float(settings.beta2), step)
    let c = Coefficients(
      alpha: lr * (1 - beta2Power).squareRoot() / (1 - beta1Power),
      // Keras forms `1 - beta` in Python (double precision), then rounds it to float32.
      oneMinusBeta1: Float(1 - settings.beta1),
      oneMinusBeta2: Float(1 - settings.beta2),
      epsilon: Float(settings.epsilon))
    for parameter in parameters where parameter.isTrainable {
      let buffers = slots.buffers(for: parameter)
      let w = parameter.value
      let g = UnsafePointer(parameter.gradient)
      let n = parameter.storageCount
      if settings.isAMSGrad {
        Self.amsgrad(w, g, n, m: buffers[0], v: buffers[1], vHat: buffers[2], c)
      } else {
        Self.plain(w, g, n, m: buffers[0], v: buffers[1], c)
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
  ///   - state: Adam state from ``state()``.
  ///   - parameters: the parameters the slots belong to.
  /// - Throws: ``OptimizerError`` when the state is from another optimizer or its slots do not
  ///   match the trainable parameters.
  public func restore(_ state: OptimizerState, parameters: [Parameter]) throws(OptimizerError) {
    try validateHeader(of: state, for: configuration)
    try slots.restore(state.slots, iterations: state.iterations, parameters: parameters)
    iterations = state.iterations
  }

  // MARK: - Kernels

  /// The float32 constants of one update.
  private struct Coefficients {
    var alpha: Float
    var oneMinusBeta1: Float
    var oneMinusBeta2: Float
    var epsilon: Float
  }

  // Keras's operation order, in chunks of 16 (see `Lanes`).

  private static func plain(
    _ w: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, _ n: Int,
    m: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>, _ c: Coefficients
  ) {
    for i in stride(from: 0, to: n, by: Lanes.width) {
      let k = min(Lanes.width, n - i)
      let gi = Lanes.load(g, i, k)
      let mOld = Lanes.load(m, i, k)
      let vOld = Lanes.load(v, i, k)
      let mi = mOld + (gi - mOld) * c.oneMinusBeta1
      let vi = vOld + (gi * gi - vOld) * c.oneMinusBeta2
      Lanes.store(mi, m, i, k)
      Lanes.store(vi, v, i, k)
      let step = (mi * c.alpha) / (vi.squareRoot() + c.epsilon)
      Lanes.store(Lanes.load(w, i, k) - step, w, i, k)
    }
  }

  private static func amsgrad(
    _ w: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, _ n: Int,
    m: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>,
    vHat: UnsafeMutablePointer<Float>, _ c: Coefficients
  ) {
    for i in stride(from: 0, to: n, by: Lanes.width) {
      let k = min(Lanes.width, n - i)
      let gi = Lanes.load(g, i, k)
      let mOld = Lanes.load(m, i, k)
      let vOld = Lanes.load(v, i, k)
      let mi = mOld + (gi - mOld) * c.oneMinusBeta1
      let vi = vOld + (gi * gi - vOld) * c.oneMinusBeta2
      let hi = pointwiseMax(Lanes.load(vHat, i, k), vi)
      Lanes.store(mi, m, i, k)
      Lanes.store(vi, v, i, k)
      Lanes.store(hi, vHat, i, k)
      let step = (mi * c.alpha) / (hi.squareRoot() + c.epsilon)
      Lanes.store(Lanes.load(w, i, k) - step, w, i, k)
    }
  }
}
