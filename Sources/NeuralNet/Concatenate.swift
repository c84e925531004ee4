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
        layer: name, reason: "Concatenate expects two or more [H, W, C] inputs of equal H and W, "
          + "got \(inputs.map(\.keras))")
    }
    self.name = name
    inputShapes = inputs
    outputShape = NodeShape(
      height: first.keras[0], width: first.keras[1],
      channels: inputs.map(\.channels).reduce(0, +))
  }

  func makeStep(
    inputs: [DNNLBuffer], batch: Int, mode: PlanMode, context: DNNLContext
  ) throws(NeuralNetError) -> LayerStep {
    try ConcatenateStep(layer: self, inputs: inputs, batch: batch, context: context)
  }
}

/// ``Concatenate`` bound to a batch size.
private final class ConcatenateStep: LayerStep {
  let layer: Concatenate
  let inputs: [DNNLBuffer]
  let batch: Int
  let context: DNNLContext
  let primitive: DNNLPrimitive
  private var slices: [(view: DNNLBuffer, reorder: DNNLPrimitive)?] = []
  private var plainGradient: LayoutConverter?

  init(
    layer: Concatenate, inputs: [DNNLBuffer], batch: Int, context: DNNLContext
  ) throws(NeuralNetError) {
    self.layer = layer
    self.inputs = inputs
    self.batch = batch
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
    super.init(output: DNNLBuffer(primitive.md(dnnl_query_dst_md), context))
  }

  override func forward(_ state: inout RunState) {
    var args: [(Int32, DNNLBuffer)] = [(DNNL_ARG_DST, output)]
    for (k, input) in inputs.enumerated() {
      args.append((DNNL_ARG_MULTIPLE_SRC + Int32(k), input))
    }
    primitive.execute(args)
  }

  override func backward(outputGradient: DNNLBuffer, inputGradients: [DNNLBuffer?]) {
    if slices.isEmpty { buildSlices(outputGradient, inputGradients) }
    plainGradient?.run()
    for (k, slice) in slices.enumerated() {
      guard let slice, let target = inputGradients[k] else { continue }
      slice.reorder.execute([(DNNL_ARG_FROM, slice.view), (DNNL_ARG_TO, target)])
    }
  }

  /// Views each channel slice of the output gradient and makes the reorder into its input's
  /// layout; when the layout cannot be sliced at these offsets, slices a plain copy instead.
  private func buildSlices(_ gradient: DNNLBuffer, _ targets: [DNNLBuffer?]) {
    var parent = gradient
    if !canSlice(gradient.desc) {
      let plain = MemoryDesc.make(layer.outputShape.dims(batch: batch), dnnl_nchw)
      guard let converter = try? LayoutConverter(from: gradient, to: plain, context,
        layer: layer.name)
      else { preconditionFailure("\(layer.name): cannot reorder the gradient to NCHW") }
      plainGradient = converter
      parent = converter.destination
    }
    var offset = 0
    for (k, shape) in layer.inputShapes.enumerated() {
      defer { offset += shape.channels }
      guard let target = targets[k] else {
        slices.append(nil)
        continue
      }
      let sub = subDesc(parent.desc, shape: shape, offset: offset)
      guard let sub,
        let reorder = try? DNNLPrimitive.reorder(from: sub, to: target.desc, context,
          layer: layer.name)
      else { preconditionFailure("\(layer.name): cannot slice the gradient at channel \(offset)") }
      slices.append((DNNLBuffer(sub, context, borrowing: parent.data), reorder))
    }
  }

  private func canSlice(_ desc: dnnl_memory_desc_t) -> Bool {
    var offset = 0
    for shape in layer.inputShapes {
      if subDesc(desc, shape: shape, offset: offset) == nil { return false }
      offset += shape.channels
    }
    return true
  }

  private func subDesc(
    _ parent: dnnl_memory_desc_t, shape: NodeShape, offset: Int
  ) -> dnnl_memory_desc_t? {
    var parent = parent
    var sub = dnnl_memory_desc_t()
    let dims = shape.dims(batch: batch).map { Int64($0) }
    let offsets: [Int64] = [0, Int64(offset), 0, 0]
    guard dnnl_memory_desc_init_submemory(&sub, &parent, dims, offsets) == dnnl_success else {
      return nil
    }
    return sub
  }
}
