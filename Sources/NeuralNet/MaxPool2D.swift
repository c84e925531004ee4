import CDNNL
import TensorCore

/// Max pooling (Keras `MaxPooling2D`) on oneDNN.
///
/// `y[n, oh, ow, c] = max_{kh, kw} x[n, oh·s + kh - pt, ow·s + kw - pl, c]` over the window cells
/// inside the input (padding never wins, as in TensorFlow). The gradient goes to the arg-max cell.
/// Input `[N, H, W, C]`, output `[N, OH, OW, C]` with ``Padding`` geometry.
final class MaxPool2D: Layer {
  let name: String
  let inputShape: NodeShape
  let outputShape: NodeShape
  let poolSize: [Int]
  let strides: [Int]
  let paddingBefore: [Int]
  let paddingAfter: [Int]
  var parameters: [Parameter] { [] }

  init(
    name: String, input: NodeShape, poolSize: [Int], strides: [Int], padding: Padding
  ) throws(NeuralNetError) {
    guard input.isImage, poolSize.count == 2, strides.count == 2 else {
      throw .invalidArchitecture(
        layer: name,
        reason: "MaxPooling2D expects [H, W, C] input and 2-D pool and strides, "
          + "got input \(input.keras), pool \(poolSize), strides \(strides)")
    }
    let rows = padding.geometry(input: input.keras[0], kernel: poolSize[0], stride: strides[0])
    let cols = padding.geometry(input: input.keras[1], kernel: poolSize[1], stride: strides[1])
    guard rows.output > 0, cols.output > 0 else {
      throw .invalidArchitecture(
        layer: name, reason: "pool \(poolSize) does not fit input \(input.keras)")
    }
    self.name = name
    inputShape = input
    outputShape = NodeShape(height: rows.output, width: cols.output, channels: input.channels)
    self.poolSize = poolSize
    self.strides = strides
    paddingBefore = [rows.before, cols.before]
    paddingAfter = [rows.after, cols.after]
  }

  func makeStep(
    inputs: [DNNLBuffer], batch: Int, mode: PlanMode, needsInputGradient: Bool,
    context: DNNLContext
  ) throws(NeuralNetError) -> LayerStep {
    try MaxPool2DStep(layer: self, input: inputs[0], batch: batch, mode: mode, context: context)
  }
}

/// ``MaxPool2D`` bound to a batch size.
private final class MaxPool2DStep: LayerStep {
  let input: DNNLBuffer
  let forwardPrimitive: DNNLPrimitive
  let backwardPrimitive: DNNLPrimitive?
  let workspace: DNNLBuffer?

  init(
    layer: MaxPool2D, input: DNNLBuffer, batch: Int, mode: PlanMode, context: DNNLContext
  ) throws(NeuralNetError) {
    self.input = input
    let strides = layer.strides.map { Int64($0) }
    let kernel = layer.poolSize.map { Int64($0) }
    let dilation: [Int64] = [0, 0]
    let before = layer.paddingBefore.map { Int64($0) }
    let after = layer.paddingAfter.map { Int64($0) }
    var src = input.desc
    var dst = MemoryDesc.any(layer.outputShape.dims(batch: batch), type: input.dataType)
    var desc = dnnl_pooling_v2_desc_t()
    try check(
      dnnl_pooling_v2_forward_desc_init(
        &desc, mode == .training ? dnnl_forward_training : dnnl_forward_inference,
        dnnl_pooling_max, &src, &dst, strides, kernel, dilation, before, after),
      layer.name, "pooling desc")
    let forward = try DNNLPrimitive(&desc, context, layer: layer.name, operation: "pooling")
    forwardPrimitive = forward
    let dstDesc = forward.md(dnnl_query_dst_md)
    if mode == .training {
      workspace = DNNLBuffer(forward.md(dnnl_query_workspace_md), context)
      var backward = dnnl_pooling_v2_desc_t()
      var diffSrc = input.desc
      var diffDst = dstDesc
      try check(
        dnnl_pooling_v2_backward_desc_init(
          &backward, dnnl_pooling_max, &diffSrc, &diffDst, strides, kernel, dilation, before,
          after), layer.name, "pooling backward desc")
      backwardPrimitive = try DNNLPrimitive(
        &backward, context, hint: forward, layer: layer.name, operation: "pooling backward")
    } else {
      workspace = nil
      backwardPrimitive = nil
    }
    super.init(output: DNNLBuffer(dstDesc, context))
  }

  override var primitives: [DNNLPrimitive] {
    [forwardPrimitive] + [backwardPrimitive].compactMap { $0 }
  }

  override func forward(_ state: inout RunState) {
    var args = [(DNNL_ARG_SRC, input), (DNNL_ARG_DST, output)]
    if let workspace { args.append((DNNL_ARG_WORKSPACE, workspace)) }
    forwardPrimitive.execute(args)
  }

  override func backward(outputGradient: DNNLBuffer, inputGradients: [DNNLBuffer?]) {
    guard let backwardPrimitive, let workspace, let target = inputGradients[0] else { return }
    backwardPrimitive.execute([
      (DNNL_ARG_DIFF_DST, outputGradient), (DNNL_ARG_WORKSPACE, workspace),
      (DNNL_ARG_DIFF_SRC, target),
    ])
  }
}
