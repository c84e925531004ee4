import CDNNL
import TensorCore

/// An activation layer (Keras `Activation`): ReLU on oneDNN, or the identity.
///
/// `relu`: `y = max(x, 0)`, `dx = dy · [x > 0]`. `linear` passes its input through. `softmax`
/// also passes the logits through: the model applies softmax at its output, fused with the loss;
/// bf16 logits are widened to 32 bits on the way, so the loss stays in 32 bits. Any shape.
final class Activation: Layer {
  let name: String
  let outputShape: NodeShape
  let kind: ActivationKind
  /// Whether the batch normalization before it applies this ReLU (see `BatchNorm.fusesReLU`).
  var isFusedIntoProducer = false
  var parameters: [Parameter] { [] }

  init(name: String, input: NodeShape, kind: ActivationKind) {
    self.name = name
    outputShape = input
    self.kind = kind
  }

  func makeStep(
    inputs: [DNNLBuffer], batch: Int, mode: PlanMode, needsInputGradient: Bool,
    context: DNNLContext
  ) throws(NeuralNetError) -> LayerStep {
    if kind == .relu && !isFusedIntoProducer {
      return try ReLUStep(input: inputs[0], mode: mode, context: context, layer: name)
    }
    if kind == .softmax && inputs[0].dataType != dnnl_f32 {
      return try WideningStep(input: inputs[0], context: context, layer: name)
    }
    return IdentityStep(input: inputs[0])
  }
}

/// Copies its input into 32-bit floats of the same layout; backward narrows the gradient back
/// (rounding to nearest even).
final class WideningStep: LayerStep {
  let input: DNNLBuffer
  private let widen: DNNLPrimitive
  private let narrow: DNNLPrimitive

  init(input: DNNLBuffer, context: DNNLContext, layer: String) throws(NeuralNetError) {
    self.input = input
    let wide = MemoryDesc.retyped(input.desc, dnnl_f32)
    widen = try DNNLPrimitive.reorder(from: input.desc, to: wide, context, layer: layer)
    narrow = try DNNLPrimitive.reorder(from: wide, to: input.desc, context, layer: layer)
    super.init(output: DNNLBuffer(wide, context))
  }

  override var primitives: [DNNLPrimitive] { [widen, narrow] }

  override func forward(_ state: inout RunState) {
    widen.execute([(DNNL_ARG_FROM, input), (DNNL_ARG_TO, output)])
  }

  override func backward(outputGradient: DNNLBuffer, inputGradients: [DNNLBuffer?]) {
    guard let target = inputGradients[0] else { return }
    narrow.execute([(DNNL_ARG_FROM, outputGradient), (DNNL_ARG_TO, target)])
  }
}

/// Passes its input through: the output is the input buffer, and the plan routes the output
/// gradient straight to the input.
final class IdentityStep: LayerStep {
  init(input: DNNLBuffer) {
    super.init(output: input)
  }
}

/// ReLU on oneDNN for one batch size; also used by `Dense`.
final class ReLUStep: LayerStep {
  let input: DNNLBuffer
  let forwardPrimitive: DNNLPrimitive
  let backwardPrimitive: DNNLPrimitive?

  init(
    input: DNNLBuffer, mode: PlanMode, context: DNNLContext, layer: String
  ) throws(NeuralNetError) {
    self.input = input
    var data = input.desc
    var desc = dnnl_eltwise_desc_t()
    try check(
      dnnl_eltwise_forward_desc_init(
        &desc, mode == .training ? dnnl_forward_training : dnnl_forward_inference,
        dnnl_eltwise_relu, &data, 0, 0), layer, "relu desc")
    let forward = try DNNLPrimitive(&desc, context, layer: layer, operation: "relu")
    forwardPrimitive = forward
    if mode == .training {
      var backward = dnnl_eltwise_desc_t()
      var diff = input.desc
      try check(
        dnnl_eltwise_backward_desc_init(&backward, dnnl_eltwise_relu, &diff, &data, 0, 0), layer,
        "relu backward desc")
      backwardPrimitive = try DNNLPrimitive(
        &backward, context, hint: forward, layer: layer, operation: "relu backward")
    } else {
      backwardPrimitive = nil
    }
    super.init(output: DNNLBuffer(forward.md(dnnl_query_dst_md), context))
  }

  override var primitives: [DNNLPrimitive] {
    [forwardPrimitive] + [backwardPrimitive].compactMap { $0 }
  }

  override func forward(_ state: inout RunState) {
    forwardPrimitive.execute([(DNNL_ARG_SRC, input), (DNNL_ARG_DST, output)])
  }

  override func backward(outputGradient: DNNLBuffer, inputGradients: [DNNLBuffer?]) {
    guard let backwardPrimitive, let target = inputGradients[0] else { return }
    backwardPrimitive.execute([
      (DNNL_ARG_SRC, input), (DNNL_ARG_DIFF_DST, outputGradient), (DNNL_ARG_DIFF_SRC, target),
    ])
  }
}
