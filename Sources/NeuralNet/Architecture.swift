/// How a convolution or pooling window treats the border, as in Keras.
///
/// `same` pads so that `out = ceil(in / stride)`, putting the smaller half of the padding before
/// and the larger after (TensorFlow's rule: `total = max((out - 1) · stride + k - in, 0)`,
/// `before = total / 2`, `after = total - before`). `valid` does not pad:
/// `out = floor((in - k) / stride) + 1`.
public enum Padding: String, Codable, Sendable, Equatable {
  /// Pad to keep `ceil(in / stride)` outputs.
  case same
  /// No padding.
  case valid

  /// The output size and the padding before and after for one spatial axis.
  /// - Parameters:
  ///   - input: the input extent.
  ///   - kernel: the window extent.
  ///   - stride: the step between windows.
  /// - Returns: `(output, before, after)`.
  public func geometry(input: Int, kernel: Int, stride: Int) -> (
    output: Int, before: Int, after: Int
  ) {
    switch self {
    case .same:
      let output = (input + stride - 1) / stride
      let total = max((output - 1) * stride + kernel - input, 0)
      return (output, total / 2, total - total / 2)
    case .valid:
      return ((input - kernel) / stride + 1, 0, 0)
    }
  }
}

/// An elementwise activation, as Keras names it.
public enum ActivationKind: String, Codable, Sendable, Equatable {
  /// The identity.
  case linear
  /// `max(x, 0)`.
  case relu
  /// `exp(x_i) / Σ_j exp(x_j)` over the last axis; only allowed on the model's output, where it is
  /// fused with the cross-entropy loss.
  case softmax
}

/// The type and arguments of one layer, with Keras defaults.
public enum LayerKind: Codable, Sendable, Equatable {
  /// The model input `[H, W, C]` (Keras `InputLayer`).
  case input(height: Int, width: Int, channels: Int)
  /// A 2-D convolution with `glorot_uniform` kernel and zero bias (Keras `Conv2D`).
  case conv2D(
    filters: Int, kernelSize: [Int], strides: [Int], padding: Padding, useBias: Bool,
    kernelL2: Float)
  /// Batch normalization over the channel axis (Keras `BatchNormalization`).
  case batchNormalization(momentum: Float, epsilon: Float)
  /// An activation layer (Keras `Activation`).
  case activation(ActivationKind)
  /// Max pooling (Keras `MaxPooling2D`).
  case maxPooling2D(poolSize: [Int], strides: [Int], padding: Padding)
  /// Inverted dropout: keeps each element with probability `1 - rate`, scaled by `1 / (1 - rate)`.
  case dropout(rate: Float)
  /// Flattens `[H, W, C]` to `[H · W · C]` in Keras (NHWC) order.
  case flatten
  /// A fully connected layer with `glorot_uniform` kernel and zero bias (Keras `Dense`).
  case dense(units: Int, activation: ActivationKind, useBias: Bool, kernelL2: Float)
  /// Concatenation along the channel (last) axis (Keras `Concatenate`).
  case concatenate

  /// The Keras class name, such as `Conv2D`.
  public var typeName: String {
    switch self {
    case .input: "InputLayer"
    case .conv2D: "Conv2D"
    case .batchNormalization: "BatchNormalization"
    case .activation: "Activation"
    case .maxPooling2D: "MaxPooling2D"
    case .dropout: "Dropout"
    case .flatten: "Flatten"
    case .dense: "Dense"
    case .concatenate: "Concatenate"
    }
  }

  /// The Keras base name layers of this type are numbered from, such as `conv2d`.
  public var baseName: String {
    switch self {
    case .input: "input_layer"
    case .conv2D: "conv2d"
    case .batchNormalization: "batch_normalization"
    case .activation: "activation"
    case .maxPooling2D: "max_pooling2d"
    case .dropout: "dropout"
    case .flatten: "flatten"
    case .dense: "dense"
    case .concatenate: "concatenate"
    }
  }
}

/// One node of a functional model: a named layer and the names of the layers it reads.
public struct LayerDescription: Codable, Sendable, Equatable {
  /// The unique layer name, such as `conv2d_3`.
  public var name: String
  /// The layer type and arguments.
  public var kind: LayerKind
  /// The names of the input layers, in order (empty for the input).
  public var inputs: [String]

  /// Creates a node description.
  public init(name: String, kind: LayerKind, inputs: [String]) {
    self.name = name
    self.kind = kind
    self.inputs = inputs
  }
}

/// A functional model as data: layers in topological order, the last one being the output.
///
/// Serializes to JSON (for checkpoint metadata) and rebuilds an identical model through
/// ``Model/init(architecture:generator:precision:)``.
public struct Architecture: Codable, Sendable, Equatable {
  /// The model name, such as `reference`.
  public var name: String
  /// The layers, each after all of its inputs; the first is the input, the last the output.
  public var layers: [LayerDescription]

  /// Creates an architecture from layers in topological order.
  public init(name: String, layers: [LayerDescription]) {
    self.name = name
    self.layers = layers
  }
}
