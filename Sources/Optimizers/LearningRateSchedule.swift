#if canImport(Glibc)
  import Glibc
#else
  import Darwin
#endif

/// A learning rate as a function of the global step, with the semantics of Keras 3's schedules.
///
/// The step is the optimizer's `iterations` before an update, so the first update uses step 0.
/// Hyperparameters are `Double`, like the Python floats Keras takes; the rate is computed in
/// `Float` with the same operations, in the same order, as Keras's float32 tensor code.
///
/// A number literal means a constant rate: `RMSprop(learningRate: 0.01)`.
///
/// Encoded as Keras serializes schedules: a constant as a bare number, the others as
/// `{"class_name": "CosineDecay", "config": {"initial_learning_rate": 0.1, ...}}` with Keras's
/// argument names.
public enum LearningRateSchedule: Sendable, Equatable, Codable, CustomStringConvertible,
  ExpressibleByFloatLiteral, ExpressibleByIntegerLiteral
{
  /// The same rate at every step.
  case constant(Double)
  /// Keras `PiecewiseConstantDecay`: `values[0]` while `step <= boundaries[0]`, `values[i]`
  /// while `boundaries[i-1] < step <= boundaries[i]`, and the last value after the last
  /// boundary. `values` has one more element than `boundaries`, which increase.
  case piecewiseConstant(boundaries: [Int], values: [Double])
  /// Keras `ExponentialDecay`: `initial · rate^(step / decaySteps)`, with the exponent
  /// rounded down when `isStaircase` (a step decay every `decaySteps` steps).
  case exponentialDecay(
    initialLearningRate: Double, decaySteps: Int, decayRate: Double, isStaircase: Bool)
  /// Keras `CosineDecay` (Loshchilov & Hutter, 2017), with optional linear warmup.
  ///
  /// Without a warmup target: `initial · ((1 - alpha) · ½(1 + cos(π · min(step, decaySteps) /
  /// decaySteps)) + alpha)`. With one: the rate rises linearly from `initial` to
  /// `warmupTarget` over `warmupSteps`, then decays from `warmupTarget` as above over the next
  /// `decaySteps` steps.
  case cosineDecay(
    initialLearningRate: Double, decaySteps: Int, alpha: Double, warmupTarget: Double?,
    warmupSteps: Int)

  /// A constant schedule from a literal.
  public init(floatLiteral value: Double) {
    self = .constant(value)
  }

  /// A constant schedule from an integer literal.
  public init(integerLiteral value: Int) {
    self = .constant(Double(value))
  }

  /// Keras `CosineDecay` with its defaults: no floor (`alpha` 0) and no warmup.
  /// - Parameters:
  ///   - initialLearningRate: the rate at step 0.
  ///   - decaySteps: steps over which the rate falls to `alpha · initialLearningRate`.
  ///   - alpha: the final rate as a fraction of the initial one; default 0.
  /// - Returns: the schedule `.cosineDecay` with no warmup target and no warmup steps.
  public static func cosineDecay(initialLearningRate: Double, decaySteps: Int, alpha: Double = 0)
    -> LearningRateSchedule
  {
    .cosineDecay(
      initialLearningRate: initialLearningRate, decaySteps: decaySteps, alpha: alpha,
      warmupTarget: nil, warmupSteps: 0)
  }

  /// The learning rate for an update at a global step.
  /// - Parameter step: the optimizer's iteration count before the update (0 for the first).
  /// - Returns: the rate as Keras computes it in float32.
  public func learningRate(atStep step: Int) -> Float {
    precondition(step >= 0, "A learning-rate schedule needs a step of 0 or more, got \(step)")
    switch self {
    case .constant(let rate):
      return Float(rate)
    case .piecewiseConstant(let boundaries, let values):
      let index = boundaries.firstIndex { step <= $0 } ?? boundaries.count
      return Float(values[index])
    case .exponentialDecay(let initial, let decaySteps, let decayRate, let isStaircase):
      var exponent = Float(step) / Float(decaySteps)
      if isStaircase { exponent = exponent.rounded(.down) }
      return Float(initial) * powf(Float(decayRate), exponent)
    case .cosineDecay(let initial, let decaySteps, let alpha, let warmupTarget, let warmupSteps):
      return Self.cosineRate(
        step: Float(step), initial: Float(initial), decaySteps: Float(decaySteps), alpha: alpha,
        warmupTarget: warmupTarget.map(Float.init), warmupSteps: Float(warmupSteps))
    }
  }

  /// Keras-like text, such as `CosineDecay(initial_learning_rate=0.1, decay_steps=1000, ...)`.
  public var description: String {
    switch self {
    case .constant(let rate):
      return "\(rate)"
    case .piecewiseConstant(let boundaries, let values):
      return "PiecewiseConstantDecay(boundaries=\(boundaries), values=\(values))"
    case .exponentialDecay(let initial, let decaySteps, let decayRate, let isStaircase):
      return "ExponentialDecay(initial_learning_rate=\(initial), decay_steps=\(decaySteps), "
        + "decay_rate=\(decayRate), staircase=\(isStaircase))"
    case .cosineDecay(let initial, let decaySteps, let alpha, let warmupTarget, let warmupSteps):
      let warmup = warmupTarget.map { ", warmup_target=\($0), warmup_steps=\(warmupSteps)" } ?? ""
      return "CosineDecay(initial_learning_rate=\(initial), decay_steps=\(decaySteps), "
        + "alpha=\(alpha)\(warmup))"
    }
  }

  // MARK: - Validation

  /// What is wrong with the hyperparameters, or `nil` when they give a usable rate.
  ///
  /// The optimizers' configurations trap on it, and decoding throws it.
  var problem: String? {
    switch self {
    case .constant(let rate):
      return rate >= 0 ? nil : "learning rate must be 0 or more, got \(rate)"
    case .piecewiseConstant(let boundaries, let values):
      if values.count != boundaries.count + 1 {
        return "PiecewiseConstantDecay needs one more value than boundaries, got "
          + "\(values.count) values for \(boundaries.count) boundaries"
      }
      if !zip(boundaries, boundaries.dropFirst()).allSatisfy({ $0 < $1 }) {
        return "PiecewiseConstantDecay boundaries must increase, got \(boundaries)"
      }
      return values.allSatisfy { $0 >= 0 }
        ? nil : "PiecewiseConstantDecay values must be 0 or more, got \(values)"
    case .exponentialDecay(let initial, let decaySteps, let decayRate, _):
      return initial >= 0 && decayRate > 0 && decaySteps > 0
        ? nil
        : "ExponentialDecay needs initial_learning_rate >= 0, decay_rate > 0 and "
          + "decay_steps > 0, got \(initial), \(decayRate), \(decaySteps)"
    case .cosineDecay(let initial, let decaySteps, let alpha, let warmupTarget, let warmupSteps):
      if !(initial >= 0 && decaySteps > 0 && (0...1).contains(alpha)) {
        return "CosineDecay needs initial_learning_rate >= 0, decay_steps > 0 and alpha in "
          + "[0, 1], got \(initial), \(decaySteps), \(alpha)"
      }
      return warmupTarget.map { $0 >= 0 && warmupSteps > 0 } ?? true
        ? nil
        : "CosineDecay warmup needs warmup_target >= 0 and warmup_steps > 0, got "
          + "\(String(describing: warmupTarget)), \(warmupSteps)"
    }
  }

  // MARK: - Cosine decay

  /// Keras's `CosineDecay.__call__`, operation for operation in float32.
  private static func cosineRate(
    step: Float, initial: Float, decaySteps: Float, alpha: Double, warmupTarget: Float?,
    warmupSteps: Float
  ) -> Float {
    guard let target = warmupTarget else {
      return decayed(
        step: min(step, decaySteps), decaySteps: decaySteps, from: initial, alpha: alpha)
    }
    let clamped = min(step, decaySteps + warmupSteps)
    if clamped < warmupSteps {
      let fraction = clamped / warmupSteps
      return (target - initial) * fraction + initial
    }
    return decayed(step: clamped - warmupSteps, decaySteps: decaySteps, from: target, alpha: alpha)
  }

  /// `from · ((1 - alpha) · ½(1 + cos(π · step / decaySteps)) + alpha)`.
  private static func decayed(step: Float, decaySteps: Float, from rate: Float, alpha: Double)
    -> Float
  {
    let fraction = step / decaySteps
    let cosine = 0.5 * (1 + cosf(Float.pi * fraction))
    // Keras forms `1 - alpha` in Python (double precision) before it meets float32 tensors.
    let decayed = Float(1 - alpha) * cosine + Float(alpha)
    return rate * decayed
  }
}

// MARK: - Codable

extension LearningRateSchedule {
  private enum CodingKeys: String, CodingKey {
    case className = "class_name"
    case config
  }

  private enum ConfigKeys: String, CodingKey {
    case boundaries, values, alpha, staircase
    case initialLearningRate = "initial_learning_rate"
    case decaySteps = "decay_steps"
    case decayRate = "decay_rate"
    case warmupTarget = "warmup_target"
    case warmupSteps = "warmup_steps"
  }

  /// Reads a bare number (a constant rate) or a Keras `{"class_name", "config"}` object.
  /// - Throws: `DecodingError` for an unknown class name, missing arguments or values out of
  ///   range.
  public init(from decoder: any Decoder) throws {
    if let single = try? decoder.singleValueContainer(), let rate = try? single.decode(Double.self)
    {
      guard rate >= 0 else {
        throw DecodingError.dataCorruptedError(
          in: single, debugDescription: "learning rate must be 0 or more, got \(rate)")
      }
      self = .constant(rate)
      return
    }
    let container = try decoder.container(keyedBy: CodingKeys.self)
    let className = try container.decode(String.self, forKey: .className)
    let config = try container.nestedContainer(keyedBy: ConfigKeys.self, forKey: .config)
    switch className {
    case "PiecewiseConstantDecay":
      self = .piecewiseConstant(
        boundaries: try config.decode([Int].self, forKey: .boundaries),
        values: try config.decode([Double].self, forKey: .values))
    case "ExponentialDecay":
      self = .exponentialDecay(
        initialLearningRate: try config.decode(Double.self, forKey: .initialLearningRate),
        decaySteps: try config.decode(Int.self, forKey: .decaySteps),
        decayRate: try config.decode(Double.self, forKey: .decayRate),
        isStaircase: try config.decodeIfPresent(Bool.self, forKey: .staircase) ?? false)
    case "CosineDecay":
      self = .cosineDecay(
        initialLearningRate: try config.decode(Double.self, forKey: .initialLearningRate),
        decaySteps: try config.decode(Int.self, forKey: .decaySteps),
        alpha: try config.decodeIfPresent(Double.self, forKey: .alpha) ?? 0,
        warmupTarget: try config.decodeIfPresent(Double.self, forKey: .warmupTarget),
        warmupSteps: try config.decodeIfPresent(Int.self, forKey: .warmupSteps) ?? 0)
    default:
      throw DecodingError.dataCorruptedError(
        forKey: .className, in: container,
        debugDescription: "learning-rate schedule \"\(className)\", expected "
          + "PiecewiseConstantDecay, ExponentialDecay or CosineDecay")
    }
    if let problem {
      throw DecodingError.dataCorruptedError(
        forKey: .config, in: container, debugDescription: problem)
    }
  }

  /// Writes a bare number for a constant rate, otherwise Keras's `{"class_name", "config"}`.
  /// - Throws: whatever the encoder throws.
  public func encode(to encoder: any Encoder) throws {
    if case .constant(let rate) = self {
      var single = encoder.singleValueContainer()
      try single.encode(rate)
      return
    }
    var container = encoder.container(keyedBy: CodingKeys.self)
    var config = container.nestedContainer(keyedBy: ConfigKeys.self, forKey: .config)
    switch self {
    case .constant:
      fatalError("unreachable: constant rates are encoded above")
    case .piecewiseConstant(let boundaries, let values):
      try container.encode("PiecewiseConstantDecay", forKey: .className)
      try config.encode(boundaries, forKey: .boundaries)
      try config.encode(values, forKey: .values)
    case .exponentialDecay(let initial, let decaySteps, let decayRate, let isStaircase):
      try container.encode("ExponentialDecay", forKey: .className)
      try config.encode(initial, forKey: .initialLearningRate)
      try config.encode(decaySteps, forKey: .decaySteps)
      try config.encode(decayRate, forKey: .decayRate)
      try config.encode(isStaircase, forKey: .staircase)
    case .cosineDecay(let initial, let decaySteps, let alpha, let warmupTarget, let warmupSteps):
      try container.encode("CosineDecay", forKey: .className)
      try config.encode(initial, forKey: .initialLearningRate)
      try config.encode(decaySteps, forKey: .decaySteps)
      try config.encode(alpha, forKey: .alpha)
      try config.encodeIfPresent(warmupTarget, forKey: .warmupTarget)
      try config.encode(warmupSteps, forKey: .warmupSteps)
    }
  }
}
