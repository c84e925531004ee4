import CDNNL
import TensorCore

/// Batch normalization over the channel axis (Keras `BatchNormalization`, axis -1) on oneDNN
/// (Ioffe & Szegedy, 2015).
///
/// Training: `y = γ · (x - μ_B) / sqrt(σ²_B + ε) + β` with the batch mean and biased batch
/// variance over `[N, H, W]`, then `moving = moving · momentum + batch · (1 - momentum)` for the
/// mean and (biased) variance, as Keras 3 does. Inference: the moving statistics replace the
/// batch ones. Input and output `[N, H, W, C]` (or `[N, C]`); parameters `[C]`.
final class BatchNorm: Layer {
  let name: String
  let outputShape: NodeShape
  let momentum: Float
  let epsilon: Float
  let gamma: Parameter
  let beta: Parameter
  let movingMean: Parameter
  let movingVariance: Parameter
  /// Sums of batch statistics weighted by batch size, for ``Model/recalibrateBatchNorm``.
  var calibrationMean: [Double]
  var calibrationVariance: [Double]
  var calibrationCount = 0
  /// Whether this layer also applies the ReLU of the `Activation` that alone reads it (oneDNN's
  /// fused batch norm + ReLU, which keeps a bit mask instead of a second pass over memory).
  var fusesReLU = false
  /// Whether inference passes leave this layer to the convolution that alone feeds it, which
  /// applies it (and the fused ReLU) as post-operations (see `Conv2D.foldedNorm`).
  var isFoldedIntoConvolution = false

  var parameters: [Parameter] { [gamma, beta, movingMean, movingVariance] }

  init(name: String, input: NodeShape, momentum: Float, epsilon: Float) {
    self.name = name
    outputShape = input
    self.momentum = momentum
    self.epsilon = epsilon
    let c = input.channels
    gamma = Parameter(name: "\(name)/gamma", shape: [c])
    beta = Parameter(name: "\(name)/beta", shape: [c])
    movingMean = Parameter(name: "\(name)/moving_mean", shape: [c], isTrainable: false)
    movingVariance = Parameter(name: "\(name)/moving_variance", shape: [c], isTrainable: false)
    for i in 0..<c {
      gamma.value[i] = 1
      movingVariance.value[i] = 1
    }
    calibrationMean = Array(repeating: 0, count: c)
    calibrationVariance = Array(repeating: 0, count: c)
  }

  func makeStep(
    inputs: [DNNLBuffer], batch: Int, mode: PlanMode, needsInputGradient: Bool,
    context: DNNLContext
  ) throws(NeuralNetError) -> LayerStep {
    if mode == .inference && isFoldedIntoConvolution { return IdentityStep(input: inputs[0]) }
    return try BatchNormStep(
      layer: self, input: inputs[0], batch: batch, mode: mode,
      needsInputGradient: needsInputGradient, context: context)
  }

  /// The per-channel factor and offset of inference, `y = x · scale + offset`.
  ///
  /// `scale = γ / sqrt(moving variance + ε)`, `offset = β - moving mean · scale`, the form in
  /// which TensorFlow computes Keras's inference batch normalization.
  func inferenceScaleAndOffset(
    scale: UnsafeMutablePointer<Float>, offset: UnsafeMutablePointer<Float>
  ) {
    for i in 0..<outputShape.channels {
      let factor = gamma.value[i] / (movingVariance.value[i] + epsilon).squareRoot()
      scale[i] = factor
      offset[i] = beta.value[i] - movingMean.value[i] * factor
    }
  }

  /// Starts a recalibration: clears the sums of batch statistics.
  func resetCalibration() {
    calibrationMean = Array(repeating: 0, count: calibrationMean.count)
    calibrationVariance = Array(repeating: 0, count: calibrationVariance.count)
    calibrationCount = 0
  }

  /// Ends a recalibration: the moving statistics become the sample-weighted means of the batch
  /// statistics seen since ``resetCalibration()``.
  func finishCalibration() {
    guard calibrationCount > 0 else { return }
    for i in 0..<calibrationMean.count {
      movingMean.value[i] = Float(calibrationMean[i] / Double(calibrationCount))
      movingVariance.value[i] = Float(calibrationVariance[i] / Double(calibrationCount))
    }
  }
}

/// ``BatchNorm`` bound to a batch size.
private final class BatchNormStep: LayerStep {
  let layer: BatchNorm
  let input: DNNLBuffer
  let batch: Int
  let mode: PlanMode
  let context: DNNLContext
  let forwardPrimitive: DNNLPrimitive
  let backwardPrimitive: DNNLPrimitive?
  let scale: DNNLBuffer
  let shift: DNNLBuffer
  let scaleGradient: DNNLBuffer
  let shiftGradient: DNNLBuffer
  let mean: DNNLBuffer
  let variance: DNNLBuffer
  /// Receives the unused input gradient when the input needs none (oneDNN always writes it).
  let scratchGradient: DNNLBuffer?
  let workspace: DNNLBuffer?

  init(
    layer: BatchNorm, input: DNNLBuffer, batch: Int, mode: PlanMode, needsInputGradient: Bool,
    context: DNNLContext
  ) throws(NeuralNetError) {
    self.layer = layer
    self.input = input
    self.batch = batch
    self.mode = mode
    self.context = context
    let c = layer.outputShape.channels
    let relu = layer.fusesReLU ? dnnl_fuse_norm_relu.rawValue : 0
    let scaleShift = dnnl_use_scale.rawValue | dnnl_use_shift.rawValue | relu
    var data = input.desc
    var desc = dnnl_batch_normalization_desc_t()
    let training = mode == .training
    try check(
      dnnl_batch_normalization_forward_desc_init(
        &desc, training ? dnnl_forward_training : dnnl_forward_inference, &data, layer.epsilon,
        training ? scaleShift : scaleShift | dnnl_use_global_stats.rawValue),
      layer.name, "batch normalization desc")
    let forward = try DNNLPrimitive(&desc, context, layer: layer.name, operation: "batch norm")
    forwardPrimitive = forward
    let vector = MemoryDesc.make([c], dnnl_x)
    scale = DNNLBuffer(vector, context, borrowing: layer.gamma.value)
    shift = DNNLBuffer(vector, context, borrowing: layer.beta.value)
    scaleGradient = DNNLBuffer(vector, context, borrowing: layer.gamma.gradient)
    shiftGradient = DNNLBuffer(vector, context, borrowing: layer.beta.gradient)
    if training {
      mean = DNNLBuffer(vector, context)
      variance = DNNLBuffer(vector, context)
      var backward = dnnl_batch_normalization_desc_t()
      var diff = input.desc
      try check(
        dnnl_batch_normalization_backward_desc_init(
          &backward, dnnl_backward, &diff, &data, layer.epsilon, scaleShift),
        layer.name, "batch normalization backward desc")
      backwardPrimitive = try DNNLPrimitive(
        &backward, context, hint: forward, layer: layer.name, operation: "batch norm backward")
      scratchGradient = needsInputGradient ? nil : DNNLBuffer(input.desc, context)
      workspace = layer.fusesReLU ? DNNLBuffer(forward.md(dnnl_query_workspace_md), context) : nil
    } else {
      workspace = nil
      mean = DNNLBuffer(vector, context, borrowing: layer.movingMean.value)
      variance = DNNLBuffer(vector, context, borrowing: layer.movingVariance.value)
      backwardPrimitive = nil
      scratchGradient = nil
    }
    super.init(output: DNNLBuffer(forward.md(dnnl_query_dst_md), context))
  }

  override var primitives: [DNNLPrimitive] {
    [forwardPrimitive] + [backwardPrimitive].compactMap { $0 }
  }

  override func forward(_ state: inout RunState) {
    var args = [
      (DNNL_ARG_SRC, input), (DNNL_ARG_MEAN, mean), (DNNL_ARG_VARIANCE, variance),
      (DNNL_ARG_SCALE, scale), (DNNL_ARG_SHIFT, shift), (DNNL_ARG_DST, output),
    ]
    if let workspace { args.append((DNNL_ARG_WORKSPACE, workspace)) }
    forwardPrimitive.execute(args)
    guard mode == .training else { return }
    context.wait()
    let c = layer.outputShape.channels
    switch state.statistics {
    case .update:
      let m = layer.momentum
      for i in 0..<c {
        layer.movingMean.value[i] = layer.movingMean.value[i] * m + mean.data[i] * (1 - m)
        layer.movingVariance.value[i] =
          layer.movingVariance.value[i] * m + variance.data[i] * (1 - m)
      }
    case .accumulate:
      for i in 0..<c {
        layer.calibrationMean[i] += Double(mean.data[i]) * Double(batch)
        layer.calibrationVariance[i] += Double(variance.data[i]) * Double(batch)
      }
      layer.calibrationCount += batch
    }
  }

  override func backward(outputGradient: DNNLBuffer, inputGradients: [DNNLBuffer?]) {
    guard let backwardPrimitive, let diffSrc = inputGradients[0] ?? scratchGradient else { return }
    var args = [
      (DNNL_ARG_SRC, input), (DNNL_ARG_MEAN, mean), (DNNL_ARG_VARIANCE, variance),
      (DNNL_ARG_DIFF_DST, outputGradient), (DNNL_ARG_SCALE, scale), (DNNL_ARG_SHIFT, shift),
      (DNNL_ARG_DIFF_SRC, diffSrc),
      (DNNL_ARG_DIFF_SCALE, scaleGradient), (DNNL_ARG_DIFF_SHIFT, shiftGradient),
    ]
    if let workspace { args.append((DNNL_ARG_WORKSPACE, workspace)) }
    backwardPrimitive.execute(args)
  }
}
