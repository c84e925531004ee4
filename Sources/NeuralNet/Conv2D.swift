import CDNNL
import TensorCore

/// A 2-D convolution (Keras `Conv2D`) on oneDNN, with weights kept in the layout oneDNN picks.
///
/// `y[n, oh, ow, o] = b[o] + Σ_{kh,kw,i} x[n, oh·s + kh - pt, ow·s + kw - pl, i] · w[kh,kw,i,o]`
/// with TensorFlow's `same` or `valid` padding (see ``Padding``). Input `[N, H, W, I]`, output
/// `[N, OH, OW, O]`, kernel `[KH, KW, I, O]` in Keras terms.
final class Conv2D: Layer {
  let name: String
  let outputShape: NodeShape
  let inputShape: NodeShape
  let kernel: Parameter
  let bias: Parameter?
  let strides: [Int]
  let paddingBefore: [Int]
  let paddingAfter: [Int]
  private let weightsDesc: dnnl_memory_desc_t
  /// The batch normalization that alone reads this layer's output, which inference passes
  /// apply as post-operations of the convolution (a per-channel multiply and add, then the
  /// ReLU it fuses): one pass over memory instead of two.
  var foldedNorm: BatchNorm?

  var parameters: [Parameter] { [kernel] + (bias.map { [$0] } ?? []) }

  init(
    name: String, input: NodeShape, filters: Int, kernelSize: [Int], strides: [Int],
    padding: Padding, useBias: Bool, kernelL2: Float, context: DNNLContext,
    generator: inout SeededGenerator
  ) throws(NeuralNetError) {
    guard input.isImage, kernelSize.count == 2, strides.count == 2, filters > 0 else {
      throw .invalidArchitecture(
        layer: name,
        reason: "Conv2D expects [H, W, C] input, a 2-D kernel and 2-D strides, "
          + "got input \(input.keras), kernel \(kernelSize), strides \(strides)")
    }
    let rows = padding.geometry(input: input.keras[0], kernel: kernelSize[0], stride: strides[0])
    let cols = padding.geometry(input: input.keras[1], kernel: kernelSize[1], stride: strides[1])
    guard rows.output > 0, cols.output > 0 else {
      throw .invalidArchitecture(
        layer: name, reason: "Conv2D kernel \(kernelSize) does not fit input \(input.keras)")
    }
    self.name = name
    inputShape = input
    outputShape = NodeShape(height: rows.output, width: cols.output, channels: filters)
    self.strides = strides
    paddingBefore = [rows.before, cols.before]
    paddingAfter = [rows.after, cols.after]

    // Pick the weight layout once, for a representative batch, and keep it for all batches.
    let inC = input.channels
    let weightDims = [filters, inC, kernelSize[0], kernelSize[1]]
    let type = context.activationType
    var desc = Conv2D.opDesc(
      src: MemoryDesc.any(input.dims(batch: 32), type: type),
      weights: MemoryDesc.any(weightDims, type: type),
      dst: MemoryDesc.any(outputShape.dims(batch: 32), type: type), hasBias: useBias,
      filters: filters, strides: strides, before: paddingBefore, after: paddingAfter,
      kind: dnnl_forward_training)
    if context.precision == .bf16 {
      // The 32-bit master weights take the layout in which the bf16 backward-weights kernel
      // writes its 32-bit gradient, so that it writes the parameter's gradient in place.
      var backward = Conv2D.backwardWeightsDesc(
        src: MemoryDesc.any(input.dims(batch: 32), type: type),
        diffWeights: MemoryDesc.any(weightDims),
        diffDst: MemoryDesc.any(outputShape.dims(batch: 32), type: type), hasBias: useBias,
        filters: filters, strides: strides, before: paddingBefore, after: paddingAfter)
      weightsDesc = try LayerSupport.chosenDesc(
        &backward, query: dnnl_query_diff_weights_md, hint: &desc, context: context,
        layer: name)
    } else {
      weightsDesc = try LayerSupport.chosenDesc(
        &desc, query: dnnl_query_weights_md, context: context, layer: name)
    }
    kernel = Parameter(
      name: "\(name)/kernel", shape: [kernelSize[0], kernelSize[1], inC, filters],
      l2Penalty: kernelL2, storageCount: MemoryDesc.byteCount(weightsDesc) / 4)
    // Keras HWIO described on oneDNN's [O, I, KH, KW] dims.
    let hwio = MemoryDesc.strided(
      weightDims,
      strides: [1, filters, kernelSize[1] * inC * filters, inC * filters])
    kernel.storageOffsets = try LayerSupport.storageOffsets(
      keras: hwio, storage: weightsDesc, count: kernel.count, context: context, layer: name)
    let receptive = kernelSize[0] * kernelSize[1]
    LayerSupport.glorotUniform(
      kernel, fanIn: receptive * inC, fanOut: receptive * filters, generator: &generator)
    bias = useBias ? Parameter(name: "\(name)/bias", shape: [filters]) : nil
  }

  static func opDesc(
    src: dnnl_memory_desc_t, weights: dnnl_memory_desc_t, dst: dnnl_memory_desc_t,
    hasBias: Bool, filters: Int, strides: [Int], before: [Int], after: [Int],
    kind: dnnl_prop_kind_t, algorithm: dnnl_alg_kind_t = dnnl_convolution_direct
  ) -> dnnl_convolution_desc_t {
    var desc = dnnl_convolution_desc_t()
    var src = src
    var weights = weights
    var dst = dst
    var biasDesc = MemoryDesc.make([filters], dnnl_x)
    let status = withOptionalPointer(to: &biasDesc, if: hasBias) { bias in
      dnnl_convolution_forward_desc_init(
        &desc, kind, algorithm, &src, &weights, bias, &dst,
        strides.map { Int64($0) }, before.map { Int64($0) }, after.map { Int64($0) })
    }
    precondition(status == dnnl_success, "convolution descriptor rejected: status \(status)")
    return desc
  }

  /// A backward-weights descriptor; `diffWeights` and the bias gradient may be f32 while the
  /// data is bf16.
  static func backwardWeightsDesc(
    src: dnnl_memory_desc_t, diffWeights: dnnl_memory_desc_t, diffDst: dnnl_memory_desc_t,
    hasBias: Bool, filters: Int, strides: [Int], before: [Int], after: [Int],
    algorithm: dnnl_alg_kind_t = dnnl_convolution_direct
  ) -> dnnl_convolution_desc_t {
    var desc = dnnl_convolution_desc_t()
    var src = src
    var diffWeights = diffWeights
    var diffDst = diffDst
    var biasDesc = MemoryDesc.make([filters], dnnl_x)
    let status = withOptionalPointer(to: &biasDesc, if: hasBias) { bias in
      dnnl_convolution_backward_weights_desc_init(
        &desc, algorithm, &src, &diffWeights, bias, &diffDst,
        strides.map { Int64($0) }, before.map { Int64($0) }, after.map { Int64($0) })
    }
    precondition(status == dnnl_success, "convolution backward weights rejected: \(status)")
    return desc
  }

  func makeStep(
    inputs: [DNNLBuffer], batch: Int, mode: PlanMode, needsInputGradient: Bool,
    context: DNNLContext
  ) throws(NeuralNetError) -> LayerStep {
    try Conv2DStep(
      layer: self, input: inputs[0], batch: batch, mode: mode,
      needsInputGradient: needsInputGradient, context: context)
  }

  fileprivate var weightsLayout: dnnl_memory_desc_t { weightsDesc }

  /// Whether oneDNN's Winograd kernels can compute this convolution: a 3×3 kernel, stride 1,
  /// at most one pixel of padding on each side, channel counts multiples of 16.
  var isWinogradShaped: Bool {
    Array(kernel.shape.prefix(2)) == [3, 3] && strides == [1, 1]
      && (paddingBefore + paddingAfter).allSatisfy { $0 <= 1 }
      && inputShape.channels % 16 == 0 && outputShape.channels % 16 == 0
  }

  /// The algorithms to try for a plan's convolution primitives, best first; the last is always
  /// the direct method.
  func algorithms(mode: PlanMode, context: DNNLContext) -> [dnnl_alg_kind_t] {
    let winograd =
      mode == .training && context.precision == .fp32
      && context.convolutionAlgorithm == .winograd && isWinogradShaped
    return winograd
      ? [dnnl_convolution_winograd, dnnl_convolution_direct] : [dnnl_convolution_direct]
  }
}

/// The primitive `make` builds with the first of `algorithms` for which oneDNN has a kernel; the
/// error of the last when none has.
private func firstImplemented(
  _ algorithms: [dnnl_alg_kind_t],
  _ make: (dnnl_alg_kind_t) throws(NeuralNetError) -> DNNLPrimitive
) throws(NeuralNetError) -> DNNLPrimitive {
  for algorithm in algorithms.dropLast() {
    if let primitive = try? make(algorithm) { return primitive }
  }
  return try make(algorithms[algorithms.count - 1])
}

/// ``Conv2D`` bound to a batch size.
private final class Conv2DStep: LayerStep {
  let layer: Conv2D
  let input: LayoutConverter
  let forwardPrimitive: DNNLPrimitive
  let backwardData: DNNLPrimitive?
  let backwardWeights: DNNLPrimitive?
  /// The 32-bit master weights, borrowed from the parameter.
  let weights: DNNLBuffer
  /// The forward primitive's weights: ``weights`` itself in fp32, a bf16 copy refreshed by each
  /// forward pass in bf16.
  let forwardWeights: LayoutConverter
  let weightGradient: DNNLBuffer
  let biasBuffer: DNNLBuffer?
  let biasGradient: DNNLBuffer?
  let sourceGradient: StagedOutput?
  let dataWeights: LayoutConverter?
  let gradientOut: GradientWriter?
  /// In inference, the folded batch normalization and its per-channel factor and offset,
  /// recomputed from its parameters by every forward pass.
  let fold: (norm: BatchNorm, scale: DNNLBuffer, offset: DNNLBuffer)?
  let context: DNNLContext

  init(
    layer: Conv2D, input source: DNNLBuffer, batch: Int, mode: PlanMode,
    needsInputGradient: Bool, context: DNNLContext
  ) throws(NeuralNetError) {
    self.layer = layer
    self.context = context
    let name = layer.name
    let hasBias = layer.bias != nil
    let filters = layer.outputShape.channels
    let kind = mode == .training ? dnnl_forward_training : dnnl_forward_inference
    let type = context.activationType
    let weightDims = MemoryDesc.dims(layer.weightsLayout)

    // In bf16 the forward kernel picks the layout of its bf16 weight copy; in fp32 it reads the
    // master weights in place.
    let algorithms = layer.algorithms(mode: mode, context: context)
    let norm = mode == .inference ? layer.foldedNorm : nil
    let attributes = try norm.map { norm throws(NeuralNetError) in
      try Conv2DStep.foldingAttributes(channels: filters, relu: norm.fusesReLU, layer: name)
    }
    defer { if let attributes { dnnl_primitive_attr_destroy(attributes) } }
    let forward = try firstImplemented(algorithms) { algorithm throws(NeuralNetError) in
      var desc = Conv2D.opDesc(
        src: MemoryDesc.any(layer.inputShape.dims(batch: batch), type: type),
        weights: type == dnnl_f32 ? layer.weightsLayout : MemoryDesc.any(weightDims, type: type),
        dst: MemoryDesc.any(layer.outputShape.dims(batch: batch), type: type), hasBias: hasBias,
        filters: filters, strides: layer.strides, before: layer.paddingBefore,
        after: layer.paddingAfter, kind: kind, algorithm: algorithm)
      return try DNNLPrimitive(
        &desc, context, attributes: attributes, layer: name, operation: "convolution")
    }
    let channel = MemoryDesc.make([1, filters, 1, 1], dnnl_nchw)
    fold = norm.map { ($0, DNNLBuffer(channel, context), DNNLBuffer(channel, context)) }
    forwardPrimitive = forward
    let srcDesc = forward.md(dnnl_query_src_md)
    let dstDesc = forward.md(dnnl_query_dst_md)
    input = try LayoutConverter(from: source, to: srcDesc, context, layer: name)
    weights = DNNLBuffer(layer.weightsLayout, context, borrowing: layer.kernel.value)
    forwardWeights = try LayoutConverter(
      from: weights, to: forward.md(dnnl_query_weights_md), context, layer: name)
    weightGradient = DNNLBuffer(layer.weightsLayout, context, borrowing: layer.kernel.gradient)
    let biasDesc = MemoryDesc.make([filters], dnnl_x)
    biasBuffer = layer.bias.map { DNNLBuffer(biasDesc, context, borrowing: $0.value) }
    biasGradient = layer.bias.map { DNNLBuffer(biasDesc, context, borrowing: $0.gradient) }

    if mode == .training {
      // The backward kernels may want other weight layouts than the forward one (forcing the
      // forward layout can select oneDNN's reference kernels), so let them choose and reorder.
      var anyWeights = MemoryDesc.any(weightDims, type: type)
      var diffDst = dstDesc
      if needsInputGradient {
        let data = try firstImplemented(algorithms) { algorithm throws(NeuralNetError) in
          var dataDesc = dnnl_convolution_desc_t()
          var diffSrc = srcDesc
          try check(
            dnnl_convolution_backward_data_desc_init(
              &dataDesc, algorithm, &diffSrc, &anyWeights, &diffDst,
              layer.strides.map { Int64($0) }, layer.paddingBefore.map { Int64($0) },
              layer.paddingAfter.map { Int64($0) }), name, "convolution backward data desc")
          return try DNNLPrimitive(
            &dataDesc, context, hint: forward, layer: name,
            operation: "convolution backward data")
        }
        backwardData = data
        dataWeights = try LayoutConverter(
          from: forwardWeights.destination, to: data.md(dnnl_query_weights_md), context,
          layer: name)
      } else {
        backwardData = nil
        dataWeights = nil
      }
      // The weight and bias gradients are 32-bit in both precisions.
      let weightsPrimitive = try firstImplemented(algorithms) {
        algorithm throws(NeuralNetError) in
        var weightsDesc = Conv2D.backwardWeightsDesc(
          src: srcDesc, diffWeights: MemoryDesc.any(weightDims), diffDst: dstDesc,
          hasBias: hasBias, filters: filters, strides: layer.strides,
          before: layer.paddingBefore, after: layer.paddingAfter, algorithm: algorithm)
        return try DNNLPrimitive(
          &weightsDesc, context, hint: forward, layer: name,
          operation: "convolution backward weights")
      }
      backwardWeights = weightsPrimitive
      gradientOut = try GradientWriter(
        chosen: weightsPrimitive.md(dnnl_query_diff_weights_md), storage: weightGradient,
        context, layer: name)
      sourceGradient =
        needsInputGradient
        ? try StagedOutput(produced: srcDesc, wanted: source.desc, context, layer: name) : nil
    } else {
      backwardData = nil
      backwardWeights = nil
      sourceGradient = nil
      dataWeights = nil
      gradientOut = nil
    }
    super.init(output: DNNLBuffer(dstDesc, context))
  }

  override var primitives: [DNNLPrimitive] {
    let reorders = [
      input.reorder, forwardWeights.reorder, dataWeights?.reorder, gradientOut?.reorder,
      sourceGradient?.reorder,
    ]
    return [forwardPrimitive] + [backwardData, backwardWeights].compactMap { $0 }
      + reorders.compactMap { $0 }
  }

  override func forward(_ state: inout RunState) {
    input.run()
    forwardWeights.run()
    var args = [
      (DNNL_ARG_SRC, input.destination), (DNNL_ARG_WEIGHTS, forwardWeights.destination),
      (DNNL_ARG_DST, output),
    ]
    if let biasBuffer { args.append((DNNL_ARG_BIAS, biasBuffer)) }
    if let fold {
      fold.norm.inferenceScaleAndOffset(scale: fold.scale.data, offset: fold.offset.data)
      args.append((Conv2DStep.postOperand(0), fold.scale))
      args.append((Conv2DStep.postOperand(1), fold.offset))
    }
    forwardPrimitive.execute(args)
  }

  /// The argument index of the second operand of post-operation `index` (oneDNN's
  /// `DNNL_ARG_ATTR_MULTIPLE_POST_OP(index) | DNNL_ARG_SRC_1`, a macro Swift cannot import).
  static func postOperand(_ index: Int32) -> Int32 {
    DNNL_ARG_ATTR_MULTIPLE_POST_OP_BASE * (index + 1) | DNNL_ARG_SRC_1
  }

  /// Post-operations that apply an inference batch normalization: multiply by a per-channel
  /// factor, add a per-channel offset (both f32 `[1, C, 1, 1]`), then ReLU if asked.
  /// - Returns: attributes the caller destroys.
  static func foldingAttributes(channels: Int, relu: Bool, layer: String)
    throws(NeuralNetError) -> dnnl_primitive_attr_t
  {
    var attributes: dnnl_primitive_attr_t?
    try check(dnnl_primitive_attr_create(&attributes), layer, "primitive_attr_create")
    var operations: dnnl_post_ops_t?
    guard let attributes,
      dnnl_post_ops_create(&operations) == dnnl_success, let operations
    else {
      if let attributes { dnnl_primitive_attr_destroy(attributes) }
      throw .dnnl(layer: layer, operation: "post_ops_create", status: -1)
    }
    defer { dnnl_post_ops_destroy(operations) }
    var channel = MemoryDesc.make([1, channels, 1, 1], dnnl_nchw)
    var status = dnnl_post_ops_append_binary(operations, dnnl_binary_mul, &channel)
    if status == dnnl_success {
      status = dnnl_post_ops_append_binary(operations, dnnl_binary_add, &channel)
    }
    if status == dnnl_success, relu {
      status = dnnl_post_ops_append_eltwise(operations, 1, dnnl_eltwise_relu, 0, 0)
    }
    if status == dnnl_success { status = dnnl_primitive_attr_set_post_ops(attributes, operations) }
    if status != dnnl_success {
      dnnl_primitive_attr_destroy(attributes)
      throw .dnnl(layer: layer, operation: "batch norm post-ops", status: Int(status.rawValue))
    }
    return attributes
  }

  override func backward(outputGradient: DNNLBuffer, inputGradients: [DNNLBuffer?]) {
    guard let backwardWeights, let gradientOut else { return }
    var args = [
      (DNNL_ARG_SRC, input.destination), (DNNL_ARG_DIFF_DST, outputGradient),
      (DNNL_ARG_DIFF_WEIGHTS, gradientOut.chosen),
    ]
    if let biasGradient { args.append((DNNL_ARG_DIFF_BIAS, biasGradient)) }
    backwardWeights.execute(args)
    gradientOut.run()
    if let target = inputGradients[0], let backwardData, let dataWeights, let sourceGradient {
      let diffSrc = sourceGradient.target(for: target)
      dataWeights.run()
      backwardData.execute([
        (DNNL_ARG_DIFF_DST, outputGradient), (DNNL_ARG_WEIGHTS, dataWeights.destination),
        (DNNL_ARG_DIFF_SRC, diffSrc),
      ])
      sourceGradient.finish(into: target)
    }
    context.wait()
    LayerSupport.addL2Gradient(layer.kernel)
  }
}
