import CDNNL
import TensorCore

/// The shape of one layer's output without the batch axis, in Keras terms and as oneDNN sees it.
///
/// `keras` is `[H, W, C]` or `[F]`. `physical` is the oneDNN order without the batch: `[C, H, W]`
/// or `[F]`. They differ only after `Flatten`, whose output stays 4-D in memory (`keras` `[H·W·C]`,
/// `physical` `[C, H, W]`), so that the next `Dense` reads it without a copy.
struct NodeShape: Equatable {
  var keras: [Int]
  var physical: [Int]

  init(keras: [Int], physical: [Int]) {
    self.keras = keras
    self.physical = physical
  }

  /// An image shape `[H, W, C]`.
  init(height: Int, width: Int, channels: Int) {
    keras = [height, width, channels]
    physical = [channels, height, width]
  }

  /// A feature vector `[F]`.
  init(features: Int) {
    keras = [features]
    physical = [features]
  }

  var isImage: Bool { keras.count == 3 }
  var channels: Int { keras.last ?? 0 }

  /// The oneDNN dims for a batch of `n`.
  func dims(batch n: Int) -> [Int] { [n] + physical }
}

/// Whether a plan runs the training or the inference forward pass.
enum PlanMode: Hashable {
  case training
  case inference
}

/// What batch normalization does with its batch statistics during a training-mode forward pass.
enum StatisticsUse {
  /// Moves the moving statistics toward the batch statistics by the momentum.
  case update
  /// Adds the batch statistics to the layer's recalibration sums.
  case accumulate
}

/// Per-call settings of a forward pass.
struct RunState {
  var generator: SeededGenerator
  var isDropoutActive: Bool
  var statistics: StatisticsUse
}

/// A layer of a model: its parameters, its output shape and how to run it for a batch size.
protocol Layer: AnyObject {
  var name: String { get }
  var outputShape: NodeShape { get }
  /// Trainable parameters first, then state, in Keras weight order.
  var parameters: [Parameter] { get }
  /// Creates the primitives and buffers that run this layer on `inputs` for one batch size.
  /// - Parameters:
  ///   - inputs: the producers' output buffers, in their layouts.
  ///   - batch: the batch size.
  ///   - mode: training or inference.
  ///   - needsInputGradient: whether backward must produce the gradient of the first input.
  ///   - context: the oneDNN engine and stream.
  /// - Returns: the step, owning its output buffer.
  /// - Throws: ``NeuralNetError/dnnl(layer:operation:status:)`` when oneDNN refuses a primitive.
  func makeStep(
    inputs: [DNNLBuffer], batch: Int, mode: PlanMode, needsInputGradient: Bool,
    context: DNNLContext
  ) throws(NeuralNetError) -> LayerStep
}

/// A layer bound to one batch size: its primitives, its output buffer and its backward pass.
class LayerStep {
  /// The output in the layout this step chose.
  let output: DNNLBuffer

  init(output: DNNLBuffer) {
    self.output = output
  }

  /// The oneDNN primitives this step runs, reorders included, for checking which
  /// implementations oneDNN chose.
  var primitives: [DNNLPrimitive] { [] }

  /// Computes ``output`` from the inputs given at creation.
  func forward(_ state: inout RunState) {}

  /// Computes the parameter gradients and writes each requested input gradient.
  /// - Parameters:
  ///   - outputGradient: d(loss)/d(output), in ``output``'s layout.
  ///   - inputGradients: one buffer per input in that input's layout, or nil where not needed.
  ///     Every given buffer is overwritten.
  func backward(outputGradient: DNNLBuffer, inputGradients: [DNNLBuffer?]) {}
}

// MARK: - Shared helpers

enum LayerSupport {
  /// Fills a parameter with `glorot_uniform` values: `U(-l, l)`, `l = sqrt(6 / (fanIn + fanOut))`.
  static func glorotUniform(
    _ parameter: Parameter, fanIn: Int, fanOut: Int, generator: inout SeededGenerator
  ) {
    let limit = (6 / Float(fanIn + fanOut)).squareRoot()
    let scalars = (0..<parameter.count).map { _ in
      (2 * generator.nextUnitFloat() - 1) * limit
    }
    parameter.setKerasValue(Tensor(shape: parameter.shape, scalars: scalars))
  }

  /// For each element in Keras order, its offset in `storage`; nil when the layouts agree.
  ///
  /// Reorders a tensor holding `index + 1` from the Keras layout to the storage layout, so that
  /// padding elements (written as zero) are told apart from element 0.
  static func storageOffsets(
    keras: dnnl_memory_desc_t, storage: dnnl_memory_desc_t, count: Int, context: DNNLContext,
    layer: String
  ) throws(NeuralNetError) -> [Int32]? {
    if MemoryDesc.equal(keras, storage) { return nil }
    let source = DNNLBuffer(keras, context)
    let destination = DNNLBuffer(storage, context)
    for i in 0..<count { source.data[i] = Float(i + 1) }
    let reorder = try DNNLPrimitive.reorder(from: keras, to: storage, context, layer: layer)
    reorder.execute([(DNNL_ARG_FROM, source), (DNNL_ARG_TO, destination)])
    context.wait()
    var offsets = [Int32](repeating: -1, count: count)
    for j in 0..<destination.floatCount {
      let index = Int(destination.data[j]) - 1
      if index >= 0 { offsets[index] = Int32(j) }
    }
    precondition(!offsets.contains(-1), "\(layer): weight layout lost elements")
    return offsets
  }

  /// The layout a primitive descriptor picks for `query`, without creating the primitive.
  ///
  /// A backward descriptor needs the forward one it follows as `hint`.
  static func chosenDesc(
    _ opDesc: UnsafeRawPointer, query: dnnl_query_t, hint: UnsafeRawPointer? = nil,
    context: DNNLContext, layer: String
  ) throws(NeuralNetError) -> dnnl_memory_desc_t {
    var forward: dnnl_primitive_desc_t?
    if let hint {
      try check(
        dnnl_primitive_desc_create(&forward, hint, nil, context.engine, nil), layer,
        "layout query hint primitive_desc_create")
    }
    defer { if forward != nil { dnnl_primitive_desc_destroy(forward) } }
    var pd: dnnl_primitive_desc_t?
    try check(
      dnnl_primitive_desc_create(&pd, opDesc, nil, context.engine, forward), layer,
      "layout query primitive_desc_create")
    defer { dnnl_primitive_desc_destroy(pd) }
    guard let md = dnnl_primitive_desc_query_md(pd, query, 0) else {
      throw .dnnl(layer: layer, operation: "layout query", status: -1)
    }
    return md.pointee
  }

  /// Adds the L2 term `2 λ w` to the gradient over the whole storage (padding stays zero).
  static func addL2Gradient(_ parameter: Parameter) {
    let factor = 2 * parameter.l2Penalty
    if factor == 0 { return }
    let w = parameter.value
    let g = parameter.gradient
    for i in 0..<parameter.storageCount { g[i] += factor * w[i] }
  }

  /// `Σ w²` over the storage, accumulated in Double.
  static func squaredSum(_ parameter: Parameter) -> Double {
    var sum: Double = 0
    let w = parameter.value
    for i in 0..<parameter.storageCount { sum += Double(w[i]) * Double(w[i]) }
    return sum
  }

  /// The oneDNN format tag for plain data of `dims` (`x`, `nc`, `nchw`).
  static func plainTag(_ rank: Int) -> dnnl_format_tag_t {
    switch rank {
    case 1: dnnl_x
    case 2: dnnl_nc
    case 3: dnnl_ncw
    default: dnnl_nchw
    }
  }
}
