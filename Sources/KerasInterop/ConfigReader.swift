import Foundation
import NeuralNet

/// Typed access to one Keras layer `config` object, with errors that name the layer and the
/// argument.
struct ConfigReader {
  /// The layer's name.
  let layer: String
  /// The layer's Keras class.
  let className: String
  /// The parsed `config` object.
  let config: [String: Any]

  /// Whether a JSON value is absent or `null`.
  static func isNull(_ value: Any?) -> Bool {
    value == nil || value is NSNull
  }

  /// An ``KerasError/unsupported(layer:className:problem:)`` for this layer.
  func unsupported(_ problem: String) -> KerasError {
    .unsupported(layer: layer, className: className, problem: problem)
  }

  /// Checks what every layer shares: trainable (frozen layers would train differently) and
  /// `float32` computation.
  func checkCommon() throws(KerasError) {
    if let trainable = config["trainable"] as? Bool, !trainable {
      throw unsupported("trainable=False (frozen layers) is not supported")
    }
    let dtype = config["dtype"]
    let policy: String?
    if let text = dtype as? String {
      policy = text
    } else if let object = dtype as? [String: Any] {
      policy = (object["config"] as? [String: Any])?["name"] as? String
    } else {
      policy = nil
    }
    if let policy, policy != "float32" {
      throw unsupported("dtype policy '\(policy)'; only 'float32'")
    }
  }

  /// A required integer argument.
  func int(_ key: String) throws(KerasError) -> Int {
    guard let value = config[key] as? Int else {
      throw unsupported(
        "argument '\(key)' is \(LayerTranslation.describe(config[key])),"
          + " expected an integer")
    }
    return value
  }

  /// A required integer argument that must lie in `range` (sizes read from a file are bounded so
  /// a hostile file cannot ask for an unbounded allocation).
  func int(_ key: String, in range: ClosedRange<Int>) throws(KerasError) -> Int {
    let value = try int(key)
    guard range.contains(value) else {
      throw unsupported(
        "argument '\(key)' is \(value), expected \(range.lowerBound)...\(range.upperBound)")
    }
    return value
  }

  /// A pair argument (see ``pair(_:)``) whose values must both lie in `range`.
  func pair(_ key: String, in range: ClosedRange<Int>) throws(KerasError) -> [Int] {
    let values = try pair(key)
    guard values.allSatisfy(range.contains) else {
      throw unsupported(
        "argument '\(key)' is \(values), expected values in"
          + " \(range.lowerBound)...\(range.upperBound)")
    }
    return values
  }

  /// A required floating-point argument that must satisfy `isValid`, described by `expected`
  /// (`"in [0, 1)"`) in the error.
  func float(_ key: String, _ expected: String, _ isValid: (Double) -> Bool)
    throws(KerasError) -> Float
  {
    let value = try float(key)
    guard let number = config[key] as? Double, isValid(number) else {
      throw unsupported(
        "argument '\(key)' is \(LayerTranslation.describe(config[key])), expected \(expected)")
    }
    return value
  }

  /// A required floating-point argument.
  func float(_ key: String) throws(KerasError) -> Float {
    guard let value = config[key] as? Double else {
      throw unsupported(
        "argument '\(key)' is \(LayerTranslation.describe(config[key])),"
          + " expected a number")
    }
    return Float(value)
  }

  /// A Boolean argument, or `default` when absent.
  func bool(_ key: String, default value: Bool) throws(KerasError) -> Bool {
    if ConfigReader.isNull(config[key]) { return value }
    guard let flag = config[key] as? Bool else {
      throw unsupported(
        "argument '\(key)' is \(LayerTranslation.describe(config[key])),"
          + " expected true or false")
    }
    return flag
  }

  /// A pair of positive integers given as `[a, b]` or a single `a`.
  func pair(_ key: String) throws(KerasError) -> [Int] {
    if let single = config[key] as? Int, single > 0 { return [single, single] }
    if let list = config[key] as? [Any] {
      let values = list.compactMap { $0 as? Int }
      if values.count == 2, list.count == 2, values.allSatisfy({ $0 > 0 }) { return values }
    }
    throw unsupported(
      "argument '\(key)' is \(LayerTranslation.describe(config[key])),"
        + " expected two positive integers")
  }

  /// The `padding` argument: `same` or `valid`.
  func padding() throws(KerasError) -> Padding {
    guard let text = config["padding"] as? String, let padding = Padding(rawValue: text) else {
      throw unsupported(
        "padding \(LayerTranslation.describe(config["padding"]));"
          + " only 'same' and 'valid'")
    }
    return padding
  }

  /// An activation given by name (`null` is linear).
  func activation(_ key: String) throws(KerasError) -> ActivationKind {
    if ConfigReader.isNull(config[key]) { return .linear }
    guard let text = config[key] as? String, let kind = ActivationKind(rawValue: text) else {
      throw unsupported(
        "activation \(LayerTranslation.describe(config[key])); only 'linear',"
          + " 'relu' and 'softmax'")
    }
    return kind
  }

  /// The factor of an `L2` regularizer (or `L1L2` with `l1` zero); zero when there is none.
  func l2(_ key: String) throws(KerasError) -> Float {
    guard !ConfigReader.isNull(config[key]) else { return 0 }
    guard let object = config[key] as? [String: Any],
      let name = object["class_name"] as? String,
      let arguments = object["config"] as? [String: Any]
    else {
      throw unsupported("\(key) \(LayerTranslation.describe(config[key])); only L2")
    }
    let l1 = arguments["l1"] as? Double ?? 0
    guard name == "L2" || (name == "L1L2" && l1 == 0), let l2 = arguments["l2"] as? Double
    else {
      let listed = arguments.keys.sorted().map {
        "\($0)=\(LayerTranslation.describe(arguments[$0]))"
      }
      throw unsupported("\(key) \(name)(\(listed.joined(separator: ", "))); only L2")
    }
    return Float(l2)
  }

  /// Requires an argument to be absent or `null`.
  func expectNull(_ key: String) throws(KerasError) {
    guard ConfigReader.isNull(config[key]) else {
      throw unsupported("\(key) \(LayerTranslation.describe(config[key])) is not supported")
    }
  }

  /// Requires an argument to be absent, `null` or zero.
  func expectAbsentOrZero(_ key: String) throws(KerasError) {
    guard ConfigReader.isNull(config[key]) || (config[key] as? Double) == 0 else {
      throw unsupported("\(key) \(LayerTranslation.describe(config[key])) is not supported")
    }
  }

  /// Requires a numeric argument to be absent or equal to `expected` (`nil`: absent or null).
  func expectNumber(_ key: String, _ expected: Double?) throws(KerasError) {
    let value = config[key]
    if ConfigReader.isNull(value) { return }
    guard let expected, let number = value as? Double, number == expected else {
      let allowed = expected.map { LayerTranslation.describe(NSNumber(value: $0)) } ?? "None"
      throw unsupported(
        "\(key) \(LayerTranslation.describe(value)) is not supported;"
          + " only \(allowed)")
    }
  }

  /// Requires an integer pair argument to be absent or equal to `expected`.
  func expectPair(_ key: String, _ expected: [Int]) throws(KerasError) {
    if ConfigReader.isNull(config[key]) { return }
    guard try pair(key) == expected else {
      throw unsupported(
        "\(key) \(LayerTranslation.describe(config[key])) is not supported;"
          + " only \(expected)")
    }
  }

  /// Requires `data_format` to be absent or `channels_last`.
  func expectChannelsLast() throws(KerasError) {
    let value = config["data_format"]
    guard ConfigReader.isNull(value) || value as? String == "channels_last" else {
      throw unsupported("data_format \(LayerTranslation.describe(value)); only 'channels_last'")
    }
  }

  /// Requires `axis` to be the channel axis of an `[N, H, W, C]` tensor: -1 or 3 (or a list
  /// holding only that).
  func expectChannelAxis() throws(KerasError) {
    var value = config["axis"]
    if let list = value as? [Any], list.count == 1 { value = list[0] }
    if ConfigReader.isNull(value) { return }
    guard let axis = value as? Int, axis == -1 || axis == 3 else {
      throw unsupported("axis \(LayerTranslation.describe(config["axis"])); only -1 (channels)")
    }
  }
}
