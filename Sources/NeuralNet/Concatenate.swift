import CDNNL
import TensorCore

/// Concatenation along the channel axis (Keras `Concatenate`, axis -1) on oneDNN.
///
/// Inputs `[N, H, W, C_k]`, output `[N, H, W, Σ C_k]`. Backward splits the output gradient into
/// channel slices and reorders each into its input's layout.
final class Concatenate: Layer {
  let name: String
  let outputShape: NodeShape
  let inputShapes: [NodeShape]
  var parameters: [Parameter] { [] }

  init(name: String, inputs: [NodeShape]) throws(NeuralNetError) {
    guard let first = inputs.first, inputs.count >= 2, inputs.allSatisfy({ $0.isImage }),
      inputs.allSatisfy({ $0.keras.dropLast() == first.keras.dropLast() })
    else {
      throw .invalidArchitecture(
        layer: name,
        reason: "Concatenate expects two or more [H, W, C] inputs of equal H and W, "
          + "got \(inputs.map(\.keras))")
    }
    self.name = name
    inputShapes = inputs
    outputShape = NodeShape(
      height: first.keras[0], width: first.keras[1],
      channels: inputs.map(\.channels).reduce(0, +))
  }

  func makeStep(
    inputs: [DNNLBuffer], batch: Int, mode: PlanMode, needsInputGradient: Bool,
    context: DNNLContext
  ) throws(NeuralNetError) -> LayerStep {
    try ConcatenateStep(layer: self, inputs: inputs, batch: batch, context: context)
  }
}

/// ``Concatenate`` bound to a batch size.
private final class ConcatenateStep: LayerStep {
  let inputs: [DNNLBuffer]
  let context: DNNLContext
  let primitive: DNNLPrimitive
  /// Reorders the output gradient to plain NCHW when its layout cannot be sliced.
  private let plainReorder: DNNLPrimitive?
  private let plainGradient: DNNLBuffer?
  /// Per input: the slice of the (plain or native) gradient and its reorder into the input's
  /// layout.
  private let sliceDescs: [dnnl_memory_desc_t]
  private let sliceReorders: [DNNLPrimitive]
  private var sliceViews: [DNNLBuffer] = []

  init(
    layer: Concatenate, inputs: [DNNLBuffer], batch: Int, context: DNNLContext
  ) throws(NeuralNetError) {
    self.inputs = inputs
    self.context = context
    let sources = inputs.map(\.desc)
    var pd: dnnl_primitive_desc_t?
    try sources.withUnsafeBufferPointer { pointer throws(NeuralNetError) in
      try check(
        dnnl_concat_primitive_desc_create(
          &pd, nil, Int32(sources.count), 1, pointer.baseAddress, nil, context.engine),
        layer.name, "concat primitive_desc_create")
    }
    primitive = try DNNLPrimitive(
      descriptor: pd.unsafelyUnwrapped, context, layer: layer.name, operation: "concat")
    let outputDesc = primitive.md(dnnl_query_dst_md)

    // Blocked layouts can be sliced only at block boundaries; otherwise slice a plain copy.
    let shapes = layer.inputShapes
    var parent = outputDesc
    var slices = ConcatenateStep.slices(of: parent, shapes: shapes, batch: batch)
    if slices == nil {
      parent = MemoryDesc.make(
        layer.outputShape.dims(batch: batch), dnnl_nchw, type: outputDesc.data_type)
      plainReorder = try DNNLPrimitive.reorder(
        from: outputDesc, to: parent, context, layer: layer.name)
      plainGradient = DNNLBuffer(parent, context)
      slices = ConcatenateStep.slices(of: parent, shapes: shapes, batch: batch)
    } else {
      plainReorder = nil
      plainGradient = nil
    }
    guard let slices else {
      throw .dnnl(layer: layer.name, operation: "concat gradient slices", status: -1)
    }
    sliceDescs = slices
    var reorders: [DNNLPrimitive] = []
    for (slice, source) in zip(slices, sources) {
      reorders.append(
        try DNNLPrimitive.reorder(from: slice, to: source, context, layer: layer.name))
    }
    sliceReorders = reorders
    super.init(output: DNNLBuffer(outputDesc, context))
  }

  override var primitives: [DNNLPrimitive] {
    [primitive] + [plainReorder].compactMap { $0 } + sliceReorders
  }

  override func forward(_ state: inout RunState) {
    var args: [(Int32, DNNLBuffer)] = [(DNNL_ARG_DST, output)]
    for (k, input) in inputs.enumerated() {
      args.append((DNNL_ARG_MULTIPLE_SRC + Int32(k), input))
    }
    primitive.execute(args)
  }

  override func backward(outputGradient: DNNLBuffer, inputGradients: [DNNLBuffer?]) {
    let parent = plainGradient ?? outputGradient
    if let plainReorder, let plainGradient {
      plainReorder.execute([(DNNL_ARG_FROM, outputGradient), (DNNL_ARG_TO, plainGradient)])
    }
    // The plan passes the same gradient buffer on every call, so the views are made once.
    if sliceViews.isEmpty {
      sliceViews = sliceDescs.map { DNNLBuffer($0, context, borrowing: parent.data) }
    }
    for (k, target) in inputGradients.enumerated() {
      guard let target else { continue }
      sliceReorders[k].execute([(DNNL_ARG_FROM, sliceViews[k]), (DNNL_ARG_TO, target)])
    }
  }

  /// The channel slices of `parent` for each input, or nil when the layout cannot be sliced
  /// at those channel offsets.
  private static func slices(
    of parent: dnnl_memory_desc_t, shapes: [NodeShape], batch: Int
  ) -> [dnnl_memory_desc_t]? {
    var result: [dnnl_memory_desc_t] = []
    var offset = 0
    for shape in shapes {
      var parent = parent
      var sub = dnnl_memory_desc_t()
      let dims = shape.dims(batch: batch).map { Int64($0) }
      let offsets: [Int64] = [0, Int64(offset), 0, 0]
      guard dnnl_memory_desc_init_submemory(&sub, &parent, dims, offsets) == dnnl_success else {
        return nil
      }
      result.append(sub)
      offset += shape.channels
    }
    return result
  }
}
