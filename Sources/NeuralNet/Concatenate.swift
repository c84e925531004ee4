import CDNNL
import TensorCore

/// Concatenation along the channel axis (Keras `Concatenate`, axis -1) on oneDNN.
///
/// Inputs `[N, H, W, C_k]`, output `[N, H, W, Σ C_k]`. Backward splits the output gradient into
/// channel slices and reorders each into its input's layout. When the channels of every input
/// fill whole blocks of one blocked layout, both directions copy one contiguous run per input
/// and image instead.
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
  /// The bytes per image of each input and where they start within an output image, when the
  /// step copies runs itself.
  ///
  /// That is when every input and the output share one channel-blocked layout and each input's
  /// channels start and end on block boundaries: each input image is then one contiguous run
  /// of the output image. oneDNN's concat takes tens of microseconds on a single image.
  private let runs: (input: [Int], offset: [Int], image: Int)?
  private let batch: Int

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
    self.batch = batch
    runs = ConcatenateStep.contiguousRuns(
      output: outputDesc, inputs: sources, shapes: shapes, batch: batch)
    super.init(output: DNNLBuffer(outputDesc, context))
  }

  /// The runs of ``runs`` for these layouts, or nil when some input is not a whole number of
  /// channel blocks in the output's blocked layout.
  private static func contiguousRuns(
    output: dnnl_memory_desc_t, inputs: [dnnl_memory_desc_t], shapes: [NodeShape], batch: Int
  ) -> (input: [Int], offset: [Int], image: Int)? {
    let type = output.data_type
    let size = type == dnnl_f32 ? 4 : type == dnnl_bf16 ? 2 : 0
    guard size > 0, let first = shapes.first else { return nil }
    let pixels = first.keras[0] * first.keras[1]
    let total = shapes.map(\.channels).reduce(0, +)
    for (tag, block) in [(dnnl_aBcd16b, 16), (dnnl_aBcd8b, 8), (dnnl_aBcd32b, 32)] {
      let whole = MemoryDesc.make([batch, total, first.keras[0], first.keras[1]], tag, type: type)
      guard MemoryDesc.equal(output, whole),
        shapes.allSatisfy({ $0.channels % block == 0 }),
        zip(inputs, shapes).allSatisfy({ desc, shape in
          MemoryDesc.equal(desc, MemoryDesc.make(shape.dims(batch: batch), tag, type: type))
        })
      else { continue }
      var offset = 0
      var offsets: [Int] = []
      for shape in shapes {
        offsets.append(offset * pixels * size)
        offset += shape.channels
      }
      return (shapes.map { $0.channels * pixels * size }, offsets, total * pixels * size)
    }
    return nil
  }

  /// Copies run `k` of every image between an input (or its gradient) and the output (or its
  /// gradient), on the OpenMP team when there is much to copy.
  private func copyRuns(toOutput: Bool, _ buffers: [DNNLBuffer?], _ whole: DNNLBuffer) {
    guard let runs else { return }
    let pointers = Elementwise.SharedPointers([whole.raw] + buffers.map { $0?.raw ?? whole.raw })
    let present = buffers.map { $0 != nil }
    let batch = batch
    let copy: @Sendable (Range<Int>) -> Void = { images in
      for n in images {
        for k in runs.input.indices where present[k] {
          let part = pointers.pointers[k + 1] + n * runs.input[k]
          let slot = pointers.pointers[0] + n * runs.image + runs.offset[k]
          if toOutput {
            slot.copyMemory(from: part, byteCount: runs.input[k])
          } else {
            part.copyMemory(from: slot, byteCount: runs.input[k])
          }
        }
      }
    }
    if batch * runs.image < 1 << 20 {
      copy(0..<batch)
    } else {
      Elementwise.forEachRange(count: batch, copy)
    }
  }

  /// The primitives that can run: oneDNN's concat only when the step does not copy runs
  /// itself (the gradient reorders stay, for gradients in other layouts).
  override var primitives: [DNNLPrimitive] {
    (runs == nil ? [primitive] : []) + [plainReorder].compactMap { $0 } + sliceReorders
  }

  override func forward(_ state: inout RunState) {
    if runs != nil {
      context.wait()
      copyRuns(toOutput: true, inputs, output)
      return
    }
    var args: [(Int32, DNNLBuffer)] = [(DNNL_ARG_DST, output)]
    for (k, input) in inputs.enumerated() {
      args.append((DNNL_ARG_MULTIPLE_SRC + Int32(k), input))
    }
    primitive.execute(args)
  }

  override func backward(outputGradient: DNNLBuffer, inputGradients: [DNNLBuffer?]) {
    if runs != nil,
      zip(inputGradients, inputs).allSatisfy({ $0 == nil || MemoryDesc.equal($0!.desc, $1.desc) })
    {
      context.wait()
      copyRuns(toOutput: false, inputGradients, outputGradient)
      return
    }
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
