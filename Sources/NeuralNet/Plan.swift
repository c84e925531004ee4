import CDNNL
import TensorCore

/// A model bound to one batch size and mode: every layer's step, the activations and the
/// gradient buffers, created once and reused for every batch of that size.
final class Plan {
  let batch: Int
  let mode: PlanMode
  let steps: [LayerStep]
  /// d(loss)/d(output of node), in the node's output layout; empty in inference.
  let gradients: [DNNLBuffer]
  /// Per node, per input: the buffer the node's backward writes that input's gradient into.
  let inputGradients: [[DNNLBuffer?]]
  /// Per node with several consumers: the consumers' gradient buffers, summed before backward.
  let gradientParts: [[DNNLBuffer]]
  private let context: DNNLContext

  init(
    layers: [any Layer], inputs: [[Int]], consumers: [[Int]], batch: Int, mode: PlanMode,
    wantsInputGradient: Bool, context: DNNLContext
  ) throws(NeuralNetError) {
    self.batch = batch
    self.mode = mode
    self.context = context
    var steps: [LayerStep] = []
    var gradients: [DNNLBuffer] = []
    var inputGradients: [[DNNLBuffer?]] = []
    var parts = [[DNNLBuffer]](repeating: [], count: layers.count)
    let training = mode == .training
    for (i, layer) in layers.enumerated() {
      let sources = inputs[i].map { steps[$0].output }
      let readsInput = inputs[i].first == 0
      let needsInputGradient = training && !inputs[i].isEmpty && (!readsInput || wantsInputGradient)
      let step = try layer.makeStep(
        inputs: sources, batch: batch, mode: mode, needsInputGradient: needsInputGradient,
        context: context)
      steps.append(step)
      guard training else { continue }

      // Route each input's gradient: straight into the producer's buffer when this is its only
      // consumer, else into a part that is summed before the producer's backward.
      var targets: [DNNLBuffer?] = []
      for j in inputs[i] {
        if j == 0 && !wantsInputGradient {
          targets.append(nil)
        } else if consumers[j].count == 1 {
          targets.append(gradients[j])
        } else {
          let part = DNNLBuffer(steps[j].output.desc, context)
          parts[j].append(part)
          targets.append(part)
        }
      }
      inputGradients.append(targets)
      if step is IdentityStep, let target = targets.first ?? nil {
        gradients.append(target)
      } else {
        gradients.append(DNNLBuffer(step.output.desc, context))
      }
    }
    self.steps = steps
    self.gradients = gradients
    self.inputGradients = inputGradients
    gradientParts = parts
  }

  /// The model's input buffer, `[N, H, W, C]` in plain NHWC.
  var input: DNNLBuffer { steps[0].output }

  /// The output buffer of the last layer.
  var output: DNNLBuffer { steps[steps.count - 1].output }

  /// The implementation oneDNN chose for each primitive, such as `jit:avx512_core`.
  var implementations: [String] { steps.flatMap(\.primitives).map(\.implementation) }

  /// Runs every layer's forward pass in order.
  func forward(_ state: inout RunState) {
    for i in steps.indices.dropFirst() { forwardStep(i, &state) }
    context.wait()
  }

  /// Runs the forward pass of node `i` (node 0, the input, has none); the work may still be in
  /// flight on the stream when this returns.
  func forwardStep(_ i: Int, _ state: inout RunState) {
    steps[i].forward(&state)
  }

  /// Runs every layer's backward pass in reverse order, from the gradient already written into
  /// the last node's gradient buffer.
  func backward() {
    precondition(mode == .training, "backward needs a training plan")
    for i in stride(from: steps.count - 1, through: 0, by: -1) { backwardStep(i) }
    context.wait()
  }

  /// Runs the backward pass of node `i`.
  ///
  /// Sums the gradient parts of its consumers, then writes its parameter and input gradients.
  /// Nodes run from the last to the first.
  func backwardStep(_ i: Int) {
    sumParts(into: i)
    if i > 0 {
      steps[i].backward(outputGradient: gradients[i], inputGradients: inputGradients[i])
    }
  }

  private func sumParts(into i: Int) {
    let parts = gradientParts[i]
    guard let first = parts.first else { return }
    context.wait()
    let target = gradients[i].data
    let count = gradients[i].floatCount
    target.update(from: first.data, count: count)
    for part in parts.dropFirst() {
      let p = part.data
      for k in 0..<count { target[k] += p[k] }
    }
  }

  // MARK: - Keras-layout exchange

  /// Copies a node buffer out into Keras layout (`[N, H, W, C]` or `[N, F]`).
  func kerasTensor(_ buffer: DNNLBuffer, shape: NodeShape) throws(NeuralNetError) -> Tensor {
    let desc = MemoryDesc.keras(shape.dims(batch: batch))
    let converter = try LayoutConverter(from: buffer, to: desc, context, layer: "plan")
    converter.run()
    context.wait()
    let count = batch * shape.keras.reduce(1, *)
    let scalars = Array(UnsafeBufferPointer(start: converter.destination.data, count: count))
    return Tensor(shape: [batch] + shape.keras, scalars: scalars)
  }

  /// Writes a tensor in Keras layout into a node buffer.
  func write(_ tensor: Tensor, into buffer: DNNLBuffer, shape: NodeShape) throws(NeuralNetError) {
    let desc = MemoryDesc.keras(shape.dims(batch: batch))
    let staging = DNNLBuffer(desc, context)
    tensor.scalars.withUnsafeBufferPointer { source in
      guard let base = source.baseAddress else { return }
      staging.data.update(from: base, count: tensor.count)
    }
    if MemoryDesc.equal(desc, buffer.desc) {
      buffer.data.update(from: staging.data, count: buffer.floatCount)
    } else {
      let reorder = try DNNLPrimitive.reorder(
        from: desc, to: buffer.desc, context, layer: "plan")
      reorder.execute([(DNNL_ARG_FROM, staging), (DNNL_ARG_TO, buffer)])
      context.wait()
    }
  }
}
