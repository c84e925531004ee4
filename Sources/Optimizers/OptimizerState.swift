import TensorCore

/// Everything an optimizer needs to continue a run exactly: its configuration, its iteration
/// count and every slot, in Keras layout.
///
/// Made by ``Optimizer/state()`` and taken back by ``Optimizer/restore(_:parameters:)``. It is
/// `Codable` (JSON of a few megabytes for the reference model) and also converts to and from a
/// flat list of named tensors (``namedTensors``), keyed `parameter/slot` (for example
/// `conv2d/kernel/velocity`), for tensor checkpoint formats; the configuration and iteration
/// count then go into the checkpoint's metadata.
public struct OptimizerState: Sendable, Equatable, Codable {
  /// The optimizer and its hyperparameters.
  public var configuration: OptimizerConfiguration
  /// Updates applied so far (Keras `iterations`).
  public var iterations: Int
  /// Every slot of every trainable parameter the optimizer has updated, in first-update order,
  /// and in each parameter's slot order.
  public var slots: [OptimizerSlot]

  /// Creates a state from its parts.
  /// - Parameters:
  ///   - configuration: the optimizer and its hyperparameters.
  ///   - iterations: updates applied so far.
  ///   - slots: the slots in Keras layout.
  public init(configuration: OptimizerConfiguration, iterations: Int, slots: [OptimizerSlot]) {
    self.configuration = configuration
    self.iterations = iterations
    self.slots = slots
  }

  /// Creates a state from tensors keyed `parameter/slot`, as written by ``namedTensors``.
  ///
  /// The slot name is the text after the last `/`; the parameter name is the rest.
  /// - Parameters:
  ///   - configuration: the optimizer and its hyperparameters.
  ///   - iterations: updates applied so far.
  ///   - namedTensors: key and tensor pairs, in the order the slots should keep.
  /// - Throws: ``OptimizerError/invalidSlotKey(_:)`` for a key without a `/` or with an empty
  ///   part.
  public init(
    configuration: OptimizerConfiguration, iterations: Int,
    namedTensors: [(name: String, tensor: Tensor)]
  ) throws(OptimizerError) {
    var slots: [OptimizerSlot] = []
    for (key, tensor) in namedTensors {
      guard let slash = key.lastIndex(of: "/"), slash != key.startIndex,
        key.index(after: slash) != key.endIndex
      else { throw .invalidSlotKey(key) }
      let parameter = String(key[..<slash])
      let slot = String(key[key.index(after: slash)...])
      slots.append(OptimizerSlot(parameterName: parameter, slotName: slot, value: tensor))
    }
    self.init(configuration: configuration, iterations: iterations, slots: slots)
  }

  /// The slots as `(parameter/slot, tensor)` pairs in ``slots`` order, the shape
  /// `Safetensors.write` takes.
  public var namedTensors: [(name: String, tensor: Tensor)] {
    slots.map { (name: $0.key, tensor: $0.value) }
  }
}

/// One optimizer slot of one parameter (such as RMSprop's `velocity` of `conv2d/kernel`), in
/// Keras layout.
public struct OptimizerSlot: Sendable, Equatable, Codable {
  /// The parameter's name, such as `conv2d/kernel`.
  public var parameterName: String
  /// The slot's Keras name: `velocity`, `momentum`, `average_gradient` or `velocity_hat`.
  public var slotName: String
  /// The values, with the parameter's Keras shape.
  public var value: Tensor

  /// Creates a slot.
  /// - Parameters:
  ///   - parameterName: the parameter's name.
  ///   - slotName: the slot's Keras name.
  ///   - value: the values in Keras layout.
  public init(parameterName: String, slotName: String, value: Tensor) {
    self.parameterName = parameterName
    self.slotName = slotName
    self.value = value
  }

  /// The checkpoint key `parameter/slot`, such as `conv2d/kernel/velocity`.
  public var key: String { "\(parameterName)/\(slotName)" }

  private enum CodingKeys: String, CodingKey {
    case parameterName = "parameter"
    case slotName = "slot"
    case shape, values
  }

  /// Reads `{"parameter", "slot", "shape", "values"}`.
  /// - Throws: `DecodingError` when a key is missing or `values` does not fill `shape`.
  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    parameterName = try container.decode(String.self, forKey: .parameterName)
    slotName = try container.decode(String.self, forKey: .slotName)
    let shape = try container.decode([Int].self, forKey: .shape)
    let values = try container.decode([Float].self, forKey: .values)
    guard shape.allSatisfy({ $0 >= 0 }), shape.reduce(1, *) == values.count else {
      throw DecodingError.dataCorruptedError(
        forKey: .values, in: container,
        debugDescription: "slot \"\(parameterName)/\(slotName)\" has \(values.count) values, "
          + "expected \(shape.reduce(1, *)) for shape \(shape)")
    }
    value = Tensor(shape: shape, scalars: values)
  }

  /// Writes `{"parameter", "slot", "shape", "values"}`.
  /// - Throws: whatever the encoder throws (for example on a non-finite value in JSON).
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(parameterName, forKey: .parameterName)
    try container.encode(slotName, forKey: .slotName)
    try container.encode(value.shape, forKey: .shape)
    try container.encode(value.scalars, forKey: .values)
  }
}
