/// Which optimizer, with which hyperparameters: enough to build it again.
///
/// Encoded as Keras serializes optimizers, `{"class_name": "RMSprop", "config":
/// {"learning_rate": 0.001, "rho": 0.9, ...}}`, with Keras's argument names; `learning_rate` is
/// a number or a serialized ``LearningRateSchedule``.
public enum OptimizerConfiguration: Sendable, Equatable, Codable, CustomStringConvertible {
  /// RMSprop and its hyperparameters.
  case rmsprop(RMSprop.Configuration)
  /// SGD and its hyperparameters.
  case sgd(SGD.Configuration)
  /// Adam and its hyperparameters.
  case adam(Adam.Configuration)

  /// The Keras class name: `RMSprop`, `SGD` or `Adam`.
  public var className: String {
    switch self {
    case .rmsprop: return "RMSprop"
    case .sgd: return "SGD"
    case .adam: return "Adam"
    }
  }

  /// The learning rate or its schedule.
  public var learningRateSchedule: LearningRateSchedule {
    switch self {
    case .rmsprop(let settings): return settings.learningRateSchedule
    case .sgd(let settings): return settings.learningRateSchedule
    case .adam(let settings): return settings.learningRateSchedule
    }
  }

  /// A new optimizer with these hyperparameters, at iteration 0 with no slots.
  public func makeOptimizer() -> any Optimizer {
    switch self {
    case .rmsprop(let settings): return RMSprop(settings)
    case .sgd(let settings): return SGD(settings)
    case .adam(let settings): return Adam(settings)
    }
  }

  /// Keras-like text, such as `RMSprop(learning_rate=0.001, rho=0.9, momentum=0.0,
  /// epsilon=1e-07, centered=false)`.
  public var description: String {
    switch self {
    case .rmsprop(let s):
      return "RMSprop(learning_rate=\(s.learningRateSchedule), rho=\(s.rho), "
        + "momentum=\(s.momentum), epsilon=\(s.epsilon), centered=\(s.isCentered))"
    case .sgd(let s):
      return "SGD(learning_rate=\(s.learningRateSchedule), momentum=\(s.momentum), "
        + "nesterov=\(s.isNesterov))"
    case .adam(let s):
      return "Adam(learning_rate=\(s.learningRateSchedule), beta_1=\(s.beta1), "
        + "beta_2=\(s.beta2), epsilon=\(s.epsilon), amsgrad=\(s.isAMSGrad))"
    }
  }

  private enum CodingKeys: String, CodingKey {
    case className = "class_name"
    case config
  }

  /// Reads `{"class_name", "config"}`.
  /// - Throws: `DecodingError` for an unknown class name or a malformed config.
  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    let className = try container.decode(String.self, forKey: .className)
    switch className {
    case "RMSprop":
      self = .rmsprop(try container.decode(RMSprop.Configuration.self, forKey: .config))
    case "SGD": self = .sgd(try container.decode(SGD.Configuration.self, forKey: .config))
    case "Adam": self = .adam(try container.decode(Adam.Configuration.self, forKey: .config))
    default:
      throw DecodingError.dataCorruptedError(
        forKey: .className, in: container,
        debugDescription: "optimizer \"\(className)\", expected RMSprop, SGD or Adam")
    }
  }

  /// Writes `{"class_name", "config"}`.
  /// - Throws: whatever the encoder throws.
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(className, forKey: .className)
    switch self {
    case .rmsprop(let settings): try container.encode(settings, forKey: .config)
    case .sgd(let settings): try container.encode(settings, forKey: .config)
    case .adam(let settings): try container.encode(settings, forKey: .config)
    }
  }
}
