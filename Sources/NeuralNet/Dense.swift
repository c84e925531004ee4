import CDNNL
import TensorCore

/// A fully connected layer (Keras `Dense`) on oneDNN's inner product, with an optional ReLU.
///
/// `y[n, o] = act(b[o] + Σ_f x[n, f] · w[f, o])`. Input `[N, F]` (a flattened `[N, H, W, C]` is
/// read in place, with `f` in Keras NHWC order), kernel `[F, O]` in Keras terms, output `[N, O]`.
/// With `softmax`, the output holds the logits; the model applies softmax fused with the loss.
///
/// In bf16, the input, the output and their gradients are bf16, except that a `softmax` layer
/// writes 32-bit logits and takes their 32-bit gradient, so the loss stays in 32 bits.
final class Dense: Layer {
  let name: String
  let inputShape: NodeShape
  let outputShape: NodeShape
  let activation: ActivationKind
  let kernel: Parameter
  let bias: Parameter?
  fileprivate let weightsDesc: dnnl_memory_desc_t

  var parameters: [Parameter] { [kernel] + (bias.map { [$0] } ?? []) }

  init(
    name: String, input: NodeShape, units: Int, activation: ActivationKind, useBias: Bool,
    kernelL2: Float, context: DNNLContext, generator: inout SeededGenerator
  ) throws(NeuralNetError) {
    guard input.keras.count == 1, units > 0 else {
      throw .invalidArchitecture(
        layer: name, reason: "Dense expects a flat [F] input, got \(input.keras)")
    }
    self.name = name
    inputShape = input
    outputShape = NodeShape(features: units)
    self.activation = activation
    let features = input.keras[0]
    let weightDims = [units] + input.physical
    // Pick the weights for the layout a convolution would leave behind on this CPU (blocked
    // nChw16c with AVX-512, nChw8c with AVX2), so that the layer reads a flattened activation
    // in place.
    let type = context.activationType
    let likelySource =
      input.physical.count == 3
      ? try Dense.convolutionOutputLayout(input, context: context, layer: name)
      : MemoryDesc.any(input.dims(batch: 32), type: type)
    let outputType = Dense.outputType(activation, context: context)
    var desc = Dense.opDesc(
      src: likelySource, weights: MemoryDesc.any(weightDims, type: type),
      units: units, batch: 32, hasBias: useBias, outputType: outputType,
      kind: dnnl_forward_training)
    if context.precision == .bf16 {
      // As in Conv2D: the master weights take the layout of the 32-bit gradient.
      var backward = Dense.backwardWeightsDesc(
        src: likelySource, diffWeights: MemoryDesc.any(weightDims), units: units, batch: 32,
        hasBias: useBias, diffDstType: type)
      weightsDesc = try LayerSupport.chosenDesc(
        &backward, query: dnnl_query_diff_weights_md, hint: &desc, context: context,
        layer: name)
    } else {
      weightsDesc = try LayerSupport.chosenDesc(
        &desc, query: dnnl_query_weights_md, context: context, layer: name)
    }
    kernel = Parameter(
      name: "\(name)/kernel", shape: [features, units], l2Penalty: kernelL2,
      storageCount: MemoryDesc.byteCount(weightsDesc) / 4)
    // Keras [F, O] with F in (h, w, c) order, described on oneDNN's [O, C, H, W] or [O, F].
    let kerasStrides: [Int]
    if input.physical.count == 3 {
      let (c, w) = (input.physical[0], input.physical[2])
      kerasStrides = [1, units, w * c * units, c * units]
    } else {
      kerasStrides = [1, units]
    }
    let kerasDesc = MemoryDesc.strided(weightDims, strides: kerasStrides)
    kernel.storageOffsets = try LayerSupport.storageOffsets(
      keras: kerasDesc, storage: weightsDesc, count: kernel.count, context: context, layer: name)
    LayerSupport.glorotUniform(kernel, fanIn: features, fanOut: units, generator: &generator)
    bias = useBias ? Parameter(name: "\(name)/bias", shape: [units]) : nil
  }

  /// The destination layout oneDNN picks for a 1x1 convolution producing `shape`.
  private static func convolutionOutputLayout(
    _ shape: NodeShape, context: DNNLContext, layer: String
  ) throws(NeuralNetError) -> dnnl_memory_desc_t {
    let c = shape.physical[0]
    let type = context.activationType
    var desc = Conv2D.opDesc(
      src: MemoryDesc.any(shape.dims(batch: 32), type: type),
      weights: MemoryDesc.any([c, c, 1, 1], type: type),
      dst: MemoryDesc.any(shape.dims(batch: 32), type: type), hasBias: false, filters: c,
      strides: [1, 1], before: [0, 0], after: [0, 0], kind: dnnl_forward_training)
    return try LayerSupport.chosenDesc(
      &desc, query: dnnl_query_dst_md, context: context, layer: layer)
  }

  /// The element type of the output: 32-bit for the logits of a softmax layer, else the
  /// context's activation type.
  static func outputType(
    _ activation: ActivationKind, context: DNNLContext
  ) -> dnnl_data_type_t {
    activation == .softmax ? dnnl_f32 : context.activationType
  }

  static func opDesc(
    src: dnnl_memory_desc_t, weights: dnnl_memory_desc_t, units: Int, batch: Int,
    hasBias: Bool, outputType: dnnl_data_type_t, kind: dnnl_prop_kind_t
  ) -> dnnl_inner_product_desc_t {
    var desc = dnnl_inner_product_desc_t()
    var src = src
    var weights = weights
    var dst = MemoryDesc.make([batch, units], dnnl_nc, type: outputType)
    var biasDesc = MemoryDesc.make([units], dnnl_x)
    let status = withOptionalPointer(to: &biasDesc, if: hasBias) { bias in
      dnnl_inner_product_forward_desc_init(&desc, kind, &src, &weights, bias, &dst)
    }
    precondition(status == dnnl_success, "inner product descriptor rejected: status \(status)")
    return desc
  }

  /// A backward-weights descriptor with `[N, O]` output gradient of `diffDstType`; the weight
  /// and bias gradients follow `diffWeights` (32-bit in both precisions).
  static func backwardWeightsDesc(
    src: dnnl_memory_desc_t, diffWeights: dnnl_memory_desc_t, units: Int, batch: Int,
    hasBias: Bool, diffDstType: dnnl_data_type_t
  ) -> dnnl_inner_product_desc_t {
    var desc = dnnl_inner_product_desc_t()
    var src = src
    var diffWeights = diffWeights
    var diffDst = MemoryDesc.make([batch, units], dnnl_nc, type: diffDstType)
    var biasDesc = MemoryDesc.make([units], dnnl_x)
    let status = withOptionalPointer(to: &biasDesc, if: hasBias) { bias in
      dnnl_inner_product_backward_weights_desc_init(&desc, &src, &diffWeights, bias, &diffDst)
    }
    precondition(status == dnnl_success, "inner product backward weights rejected: \(status)")
    return desc
  }

  func makeStep(
    inputs: [DNNLBuffer], batch: Int, mode: PlanMode, needsInputGradient: Bool,
    context: DNNLContext
  ) throws(NeuralNetError) -> LayerStep {
    try DenseStep(layer: self, input: inputs[0], batch: batch, mode: mode, context: context)
  }
}

/// ``Dense`` bound to a batch size.
private final class DenseStep: LayerStep {
  let layer: Dense
  let input: LayoutConverter
  let context: DNNLContext
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
  let preActivation: DNNLBuffer
  let relu: ReLUStep?
  let preActivationGradient: DNNLBuffer?
  let sourceGradient: StagedOutput?
  let dataWeights: LayoutConverter?
  let gradientOut: GradientWriter?
  /// Converts the 32-bit logit gradient of a bf16 softmax layer to the bf16 the backward
  /// kernels take; nil when the output gradient already has their type.
  let gradientConversion: DNNLPrimitive?
  let convertedGradient: DNNLBuffer?

  init(
    layer: Dense, input source: DNNLBuffer, batch: Int, mode: PlanMode, context: DNNLContext
  ) throws(NeuralNetError) {
    self.layer = layer
    self.context = context
    let units = layer.outputShape.keras[0]
    let hasBias = layer.bias != nil
    let type = context.activationType
    let outputType = Dense.outputType(layer.activation, context: context)
    // In bf16 the kernel picks the layout of its bf16 weight copy; in fp32 it reads the master
    // weights in place.
    let weightDims = MemoryDesc.dims(layer.weightsDesc)
    let weightsDesc =
      type == dnnl_f32 ? layer.weightsDesc : MemoryDesc.any(weightDims, type: type)
    // Read the input in its own layout unless that selects a reference kernel.
    let kind = mode == .training ? dnnl_forward_training : dnnl_forward_inference
    var desc = Dense.opDesc(
      src: MemoryDesc.retyped(source.desc, type), weights: weightsDesc, units: units,
      batch: batch, hasBias: hasBias, outputType: outputType, kind: kind)
    var forward = try? DNNLPrimitive(&desc, context, layer: layer.name, operation: "inner product")
    if forward == nil || forward?.implementation.hasPrefix("ref") == true {
      var fallback = Dense.opDesc(
        src: MemoryDesc.any(layer.inputShape.dims(batch: batch), type: type),
        weights: weightsDesc, units: units, batch: batch, hasBias: hasBias,
        outputType: outputType, kind: kind)
      forward = try DNNLPrimitive(&fallback, context, layer: layer.name, operation: "inner product")
    }
    guard let forward else {
      throw .dnnl(layer: layer.name, operation: "inner product", status: -1)
    }
    forwardPrimitive = forward
    let srcDesc = forward.md(dnnl_query_src_md)
    let dstDesc = forward.md(dnnl_query_dst_md)
    input = try LayoutConverter(from: source, to: srcDesc, context, layer: layer.name)
    weights = DNNLBuffer(layer.weightsDesc, context, borrowing: layer.kernel.value)
    forwardWeights = try LayoutConverter(
      from: weights, to: forward.md(dnnl_query_weights_md), context, layer: layer.name)
    weightGradient = DNNLBuffer(layer.weightsDesc, context, borrowing: layer.kernel.gradient)
    let biasDesc = MemoryDesc.make([units], dnnl_x)
    biasBuffer = layer.bias.map { DNNLBuffer(biasDesc, context, borrowing: $0.value) }
    biasGradient = layer.bias.map { DNNLBuffer(biasDesc, context, borrowing: $0.gradient) }
    preActivation = DNNLBuffer(dstDesc, context)
    if layer.activation == .relu {
      relu = try ReLUStep(input: preActivation, mode: mode, context: context, layer: layer.name)
    } else {
      relu = nil
    }

    if mode == .training {
      // As for convolutions, the backward kernels choose their own weight layouts.
      var diffSrc = srcDesc
      var anyWeights = MemoryDesc.any(weightDims, type: type)
      let diffDstDesc = MemoryDesc.retyped(dstDesc, type)
      var diffDst = diffDstDesc
      var dataDesc = dnnl_inner_product_desc_t()
      try check(
        dnnl_inner_product_backward_data_desc_init(&dataDesc, &diffSrc, &anyWeights, &diffDst),
        layer.name, "inner product backward data desc")
      let data = try DNNLPrimitive(
        &dataDesc, context, hint: forward, layer: layer.name,
        operation: "inner product backward data")
      backwardData = data
      dataWeights = try LayoutConverter(
        from: forwardWeights.destination, to: data.md(dnnl_query_weights_md), context,
        layer: layer.name)
      var weightsDesc = Dense.backwardWeightsDesc(
        src: srcDesc, diffWeights: MemoryDesc.any(weightDims), units: units, batch: batch,
        hasBias: hasBias, diffDstType: type)
      let weightsPrimitive = try DNNLPrimitive(
        &weightsDesc, context, hint: forward, layer: layer.name,
        operation: "inner product backward weights")
      backwardWeights = weightsPrimitive
      gradientOut = try GradientWriter(
        chosen: weightsPrimitive.md(dnnl_query_diff_weights_md), storage: weightGradient,
        context, layer: layer.name)
      preActivationGradient = relu == nil ? nil : DNNLBuffer(dstDesc, context)
      sourceGradient = try StagedOutput(
        produced: srcDesc, wanted: source.desc, context, layer: layer.name)
      if outputType == type {
        gradientConversion = nil
        convertedGradient = nil
      } else {
        gradientConversion = try DNNLPrimitive.reorder(
          from: dstDesc, to: diffDstDesc, context, layer: layer.name)
        convertedGradient = DNNLBuffer(diffDstDesc, context)
      }
    } else {
      backwardData = nil
      backwardWeights = nil
      preActivationGradient = nil
      sourceGradient = nil
      dataWeights = nil
      gradientOut = nil
      gradientConversion = nil
      convertedGradient = nil
    }
    super.init(output: relu?.output ?? preActivation)
  }

  override var primitives: [DNNLPrimitive] {
    let reorders = [
      input.reorder, forwardWeights.reorder, dataWeights?.reorder, gradientOut?.reorder,
      sourceGradient?.reorder, gradientConversion,
    ]
    return [forwardPrimitive] + [backwardData, backwardWeights].compactMap { $0 }
      + (relu?.primitives ?? []) + reorders.compactMap { $0 }
  }

  override func forward(_ state: inout RunState) {
    input.run()
    forwardWeights.run()
    var args = [
      (DNNL_ARG_SRC, input.destination), (DNNL_ARG_WEIGHTS, forwardWeights.destination),
      (DNNL_ARG_DST, preActivation),
    ]
    if let biasBuffer { args.append((DNNL_ARG_BIAS, biasBuffer)) }
    forwardPrimitive.execute(args)
    relu?.forward(&state)
  }

  override func backward(outputGradient: DNNLBuffer, inputGradients: [DNNLBuffer?]) {
    guard let backwardData, let backwardWeights, let dataWeights, let gradientOut else { return }
    var diffDst = outputGradient
    if let relu, let preActivationGradient {
      relu.backward(outputGradient: outputGradient, inputGradients: [preActivationGradient])
      diffDst = preActivationGradient
    }
    if let gradientConversion, let convertedGradient {
      gradientConversion.execute([(DNNL_ARG_FROM, diffDst), (DNNL_ARG_TO, convertedGradient)])
      diffDst = convertedGradient
    }
    var args = [
      (DNNL_ARG_SRC, input.destination), (DNNL_ARG_DIFF_DST, diffDst),
      (DNNL_ARG_DIFF_WEIGHTS, gradientOut.chosen),
    ]
    if let biasGradient { args.append((DNNL_ARG_DIFF_BIAS, biasGradient)) }
    backwardWeights.execute(args)
    gradientOut.run()
    if let target = inputGradients[0], let sourceGradient {
      let diffSrc = sourceGradient.target(for: target)
      dataWeights.run()
      backwardData.execute([
        (DNNL_ARG_DIFF_DST, diffDst), (DNNL_ARG_WEIGHTS, dataWeights.destination),
        (DNNL_ARG_DIFF_SRC, diffSrc),
      ])
      sourceGradient.finish(into: target)
    }
    context.wait()
    LayerSupport.addL2Gradient(layer.kernel)
  }
}
