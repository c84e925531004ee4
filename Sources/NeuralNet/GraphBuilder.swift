/// Builds an ``Architecture`` the way the Keras functional API does, naming layers as Keras
/// would (`conv2d`, `conv2d_1`, `batch_normalization`, ...).
///
/// ```swift
/// var graph = GraphBuilder(name: "tiny")
/// let x = graph.input(height: 28, width: 28, channels: 1)
/// let y = graph.dense(graph.flatten(x), units: 10, activation: .softmax)
/// let architecture = graph.architecture(output: y)
/// ```
public struct GraphBuilder: Sendable {
  /// A handle to a layer's output inside the builder.
  public struct Node: Sendable, Equatable {
    /// The layer's name.
    public let name: String
  }

  /// The model name.
  public let name: String
  private var layers: [LayerDescription] = []
  private var counters: [String: Int] = [:]

  /// Creates an empty builder.
  /// - Parameter name: the model name stored in the architecture.
  public init(name: String) {
    self.name = name
  }

  /// Appends a layer of `kind` reading `inputs` and returns its output.
  /// - Precondition: every input was made by this builder.
  public mutating func add(_ kind: LayerKind, _ inputs: [Node]) -> Node {
    precondition(
      inputs.allSatisfy { input in layers.contains { $0.name == input.name } },
      "GraphBuilder inputs must come from the same builder, got \(inputs.map(\.name))")
    let base = kind.baseName
    let index = counters[base, default: 0]
    counters[base] = index + 1
    let layerName = index == 0 ? base : "\(base)_\(index)"
    layers.append(LayerDescription(name: layerName, kind: kind, inputs: inputs.map(\.name)))
    return Node(name: layerName)
  }

  /// The finished architecture, whose output is the last layer added.
  /// - Precondition: `output` is the last layer added.
  public func architecture(output: Node) -> Architecture {
    precondition(
      layers.last?.name == output.name,
      "the output must be the last layer added, got \(output.name)")
    return Architecture(name: name, layers: layers)
  }

  // MARK: - Layers

  /// The input `[H, W, C]`.
  public mutating func input(height: Int, width: Int, channels: Int) -> Node {
    add(.input(height: height, width: width, channels: channels), [])
  }

  /// A `Conv2D` layer; defaults follow Keras (stride 1, `valid`, with bias, no regularizer).
  public mutating func conv2D(
    _ x: Node, filters: Int, kernelSize: [Int], strides: [Int] = [1, 1],
    padding: Padding = .valid, useBias: Bool = true, kernelL2: Float = 0
  ) -> Node {
    add(
      .conv2D(
        filters: filters, kernelSize: kernelSize, strides: strides, padding: padding,
        useBias: useBias, kernelL2: kernelL2), [x])
  }

  /// A `BatchNormalization` layer with Keras defaults (momentum 0.99, epsilon 1e-3).
  public mutating func batchNormalization(
    _ x: Node, momentum: Float = 0.99, epsilon: Float = 1e-3
  ) -> Node {
    add(.batchNormalization(momentum: momentum, epsilon: epsilon), [x])
  }

  /// An `Activation` layer.
  public mutating func activation(_ x: Node, _ kind: ActivationKind) -> Node {
    add(.activation(kind), [x])
  }

  /// A `MaxPooling2D` layer; strides default to the pool size, as in Keras.
  public mutating func maxPooling2D(
    _ x: Node, poolSize: [Int], strides: [Int]? = nil, padding: Padding = .valid
  ) -> Node {
    add(.maxPooling2D(poolSize: poolSize, strides: strides ?? poolSize, padding: padding), [x])
  }

  /// A `Dropout` layer.
  public mutating func dropout(_ x: Node, rate: Float) -> Node {
    add(.dropout(rate: rate), [x])
  }

  /// A `Flatten` layer.
  public mutating func flatten(_ x: Node) -> Node {
    add(.flatten, [x])
  }

  /// A `Dense` layer.
  public mutating func dense(
    _ x: Node, units: Int, activation: ActivationKind = .linear, useBias: Bool = true,
    kernelL2: Float = 0
  ) -> Node {
    add(.dense(units: units, activation: activation, useBias: useBias, kernelL2: kernelL2), [x])
  }

  /// A `Concatenate` layer over the channel axis.
  public mutating func concatenate(_ xs: [Node]) -> Node {
    add(.concatenate, xs)
  }

  // MARK: - Blocks

  /// The reference's `conv_block`: `Conv2D` (no bias, `same`, kernel L2 4e-5) ->
  /// `BatchNormalization` -> ReLU.
  public mutating func convBlock(
    _ x: Node, filters: Int, kernelSize: Int, strides: Int = 1, padding: Padding = .same
  ) -> Node {
    let conv = conv2D(
      x, filters: filters, kernelSize: [kernelSize, kernelSize], strides: [strides, strides],
      padding: padding, useBias: false, kernelL2: 4e-5)
    return activation(batchNormalization(conv), .relu)
  }

  /// An Inception v1 block (Szegedy et al., 2015).
  ///
  /// Branches 1x1; 1x1 -> 3x3; 1x1 -> 5x5; 3x3/1 max-pool -> 1x1; concatenated along channels,
  /// giving `reduction + 3 · primary` channels. Every convolution is a ``convBlock``.
  /// - Parameters:
  ///   - x: the block input `[H, W, C]`.
  ///   - reduction: filters of the 1x1 convolutions that open a branch (`filter_1by1`).
  ///   - primary: filters of the 3x3, 5x5 and pooling-branch convolutions (`filter_primary`).
  /// - Returns: the concatenated output `[H, W, reduction + 3 · primary]`.
  public mutating func inceptionBlock(_ x: Node, reduction: Int, primary: Int) -> Node {
    let branch1 = convBlock(x, filters: reduction, kernelSize: 1)
    let branch3 = convBlock(
      convBlock(x, filters: reduction, kernelSize: 1), filters: primary, kernelSize: 3)
    let branch5 = convBlock(
      convBlock(x, filters: reduction, kernelSize: 1), filters: primary, kernelSize: 5)
    let pooled = maxPooling2D(x, poolSize: [3, 3], strides: [1, 1], padding: .same)
    let branchPool = convBlock(pooled, filters: primary, kernelSize: 1)
    return concatenate([branch1, branch3, branch5, branchPool])
  }

  /// An Inception v2 block (Szegedy et al., 2016).
  ///
  /// Branches 1x1; 1x1 -> 3x3; 1x1 -> 3x3 -> 3x3; 3x3/1 max-pool -> 1x1; concatenated along
  /// channels, giving `reduction + 3 · primary` channels. Every convolution is a ``convBlock``.
  /// - Parameters:
  ///   - x: the block input `[H, W, C]`.
  ///   - reduction: filters of the 1x1 convolutions that open a branch (`filter_1by1`).
  ///   - primary: filters of the 3x3 and pooling-branch convolutions (`filter_primary`).
  /// - Returns: the concatenated output `[H, W, reduction + 3 · primary]`.
  public mutating func inceptionV2Block(_ x: Node, reduction: Int, primary: Int) -> Node {
    let branch1 = convBlock(x, filters: reduction, kernelSize: 1)
    let branch3 = convBlock(
      convBlock(x, filters: reduction, kernelSize: 1), filters: primary, kernelSize: 3)
    var stack = convBlock(x, filters: reduction, kernelSize: 1)
    stack = convBlock(stack, filters: primary, kernelSize: 3)
    stack = convBlock(stack, filters: primary, kernelSize: 3)
    let pooled = maxPooling2D(x, poolSize: [3, 3], strides: [1, 1], padding: .same)
    let branchPool = convBlock(pooled, filters: primary, kernelSize: 1)
    return concatenate([branch1, branch3, stack, branchPool])
  }
}
