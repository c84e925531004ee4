import Foundation
import NeuralNet

/// Translates one Keras layer configuration into a ``LayerKind``, refusing every argument that
/// would make the result differ from the Keras layer.
enum LayerTranslation {
  /// The largest input height, width or channel count accepted.
  static let maxInputDimension = 4096
  /// The largest number of scalars in one input image (`H * W * C`).
  static let maxInputScalars = 16_777_216
  /// The accepted range of Conv2D `filters` and Dense `units`.
  static let widthRange: ClosedRange<Int> = 1...65536
  /// The accepted range of each kernel size, pool size and stride.
  static let kernelRange: ClosedRange<Int> = 1...64

  /// The layer kind for a Keras class and its `config`.
  /// - Throws: ``KerasError/unsupported(layer:className:problem:)``.
  static func kind(_ className: String, _ name: String, _ config: [String: Any])
    throws(KerasError) -> LayerKind
  {
    var reader = ConfigReader(layer: name, className: className, config: config)
    try reader.checkCommon()
    switch className {
    case "InputLayer":
      return try inputKind(config["batch_shape"] ?? config["batch_input_shape"], layer: name)
    case "Conv2D":
      return try conv2D(&reader)
    case "BatchNormalization":
      return try batchNormalization(&reader)
    case "Activation":
      return .activation(try reader.activation("activation"))
    case "ReLU":
      try reader.expectNumber("max_value", nil)
      try reader.expectNumber("negative_slope", 0)
      try reader.expectNumber("threshold", 0)
      return .activation(.relu)
    case "Softmax":
      try reader.expectChannelAxis()
      return .activation(.softmax)
    case "MaxPooling2D":
      try reader.expectChannelsLast()
      let poolSize = try reader.pair("pool_size", in: kernelRange)
      let strides =
        ConfigReader.isNull(config["strides"])
        ? poolSize : try reader.pair("strides", in: kernelRange)
      return .maxPooling2D(
        poolSize: poolSize, strides: strides, padding: try reader.padding())
    case "Dropout":
      try reader.expectNull("noise_shape")
      let rate = try reader.float("rate", "in [0, 1)") { (0..<1).contains($0) }
      return .dropout(rate: rate)
    case "Flatten":
      try reader.expectChannelsLast()
      return .flatten
    case "Dense":
      return try dense(&reader)
    case "Concatenate":
      try reader.expectChannelAxis()
      return .concatenate
    default:
      throw .unsupported(
        layer: name, className: className,
        problem: "layer type not supported; supported: InputLayer, Conv2D, BatchNormalization,"
          + " Activation, ReLU, Softmax, MaxPooling2D, Dropout, Flatten, Dense, Concatenate")
    }
  }

  /// The input kind for a `batch_shape` of `[None, H, W, C]`, each of `H`, `W`, `C` in
  /// `1...maxInputDimension` and `H * W * C <= maxInputScalars`.
  /// - Throws: ``KerasError/unsupported(layer:className:problem:)`` for any other shape.
  static func inputKind(_ shape: Any?, layer: String) throws(KerasError) -> LayerKind {
    let dims = (shape as? [Any]) ?? []
    let sizes = dims.dropFirst().compactMap { $0 as? Int }
    guard dims.count == 4, sizes.count == 3, sizes.allSatisfy({ $0 > 0 }) else {
      throw .unsupported(
        layer: layer, className: "InputLayer",
        problem: "batch_shape \(describe(shape)), expected [None, height, width, channels]")
    }
    guard sizes.allSatisfy({ $0 <= maxInputDimension }),
      sizes[0] * sizes[1] * sizes[2] <= maxInputScalars
    else {
      throw .unsupported(
        layer: layer, className: "InputLayer",
        problem: "batch_shape \(describe(shape)): each size must be at most"
          + " \(maxInputDimension) and height*width*channels at most \(maxInputScalars)")
    }
    return .input(height: sizes[0], width: sizes[1], channels: sizes[2])
  }

  private static func conv2D(_ reader: inout ConfigReader) throws(KerasError) -> LayerKind {
    try reader.expectChannelsLast()
    try reader.expectPair("dilation_rate", [1, 1])
    try reader.expectNumber("groups", 1)
    guard try reader.activation("activation") == .linear else {
      throw reader.unsupported(
        "activation \(describe(reader.config["activation"])) on a"
          + " convolution; only 'linear' (add an Activation layer after it)")
    }
    try reader.expectNull("bias_regularizer")
    try reader.expectNull("activity_regularizer")
    try reader.expectNull("kernel_constraint")
    try reader.expectNull("bias_constraint")
    try reader.expectAbsentOrZero("lora_rank")
    return .conv2D(
      filters: try reader.int("filters", in: widthRange),
      kernelSize: try reader.pair("kernel_size", in: kernelRange),
      strides: try reader.pair("strides", in: kernelRange), padding: try reader.padding(),
      useBias: try reader.bool("use_bias", default: true),
      kernelL2: try reader.l2("kernel_regularizer"))
  }

  private static func batchNormalization(_ reader: inout ConfigReader) throws(KerasError)
    -> LayerKind
  {
    try reader.expectChannelAxis()
    guard try reader.bool("center", default: true), try reader.bool("scale", default: true) else {
      throw reader.unsupported("center and scale must both be true")
    }
    guard try !reader.bool("renorm", default: false) else {
      throw reader.unsupported("renorm=True is not supported")
    }
    for key in ["beta_regularizer", "gamma_regularizer", "beta_constraint", "gamma_constraint"] {
      try reader.expectNull(key)
    }
    return .batchNormalization(
      momentum: try reader.float("momentum", "in [0, 1]") { (0...1).contains($0) },
      epsilon: try reader.float("epsilon", "greater than 0") { $0 > 0 })
  }

  private static func dense(_ reader: inout ConfigReader) throws(KerasError) -> LayerKind {
    try reader.expectNull("bias_regularizer")
    try reader.expectNull("activity_regularizer")
    try reader.expectNull("kernel_constraint")
    try reader.expectNull("bias_constraint")
    try reader.expectAbsentOrZero("lora_rank")
    try reader.expectNull("quantization_config")
    return .dense(
      units: try reader.int("units", in: widthRange),
      activation: try reader.activation("activation"),
      useBias: try reader.bool("use_bias", default: true),
      kernelL2: try reader.l2("kernel_regularizer"))
  }

  /// A short rendering of a JSON value for messages.
  static func describe(_ value: Any?) -> String {
    switch value {
    case nil, is NSNull: "None"
    case let text as String: "'\(text)'"
    case let number as NSNumber:
      number.doubleValue == number.doubleValue.rounded() && abs(number.doubleValue) < 1e15
        ? "\(Int(number.doubleValue))" : "\(number.doubleValue)"
    case let list as [Any]: "[" + list.map { describe($0) }.joined(separator: ", ") + "]"
    case let object as [String: Any]:
      (object["class_name"] as? String).map { "<\($0)>" } ?? "\(object)"
    case let some?: "\(some)"
    }
  }
}
