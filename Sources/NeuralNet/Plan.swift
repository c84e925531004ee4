import CDNNL
import TensorCore

/// A model bound to one batch size and mode: every layer's step, the activations and the
/// gradient buffers, created once and reused for every batch of that size.
///
/// Gradient buffers whose lives in the backward pass do not overlap share memory (see
/// ``GradientLayout``); ``gradients``[0] stays valid after ``backward()``. In inference, where
/// no backward pass needs them, activations whose lives in the forward pass do not overlap share
/// memory too; ``output`` stays valid after ``forward(_:)``.
final class Plan {
  let batch: Int
  let mode: PlanMode
  let steps: [LayerStep]
  /// d(loss)/d(output of node), in the node's output layout; empty in inference.
  let gradients: [DNNLBuffer]
  /// Per node, per input: the buffer the node's backward writes that input's gradient into.
  let inputGradients: [[DNNLBuffer?]]
  /// Per node with several consumers: the consumers' gradient buffers, summed before backward;
  /// the first part may be the node's gradient buffer itself.
  let gradientParts: [[DNNLBuffer]]
  /// The bytes of the shared gradient blocks.
  let gradientByteCount: Int
  /// The bytes the gradient buffers would take with a block each.
  let unsharedGradientByteCount: Int
  private let context: DNNLContext
  /// The memory of the gradient buffers, or in inference of the shared activations.
  let blocks: MemoryBlocks?

  init(
    layers: [any Layer], inputs: [[Int]], consumers: [[Int]], batch: Int, mode: PlanMode,
    wantsInputGradient: Bool, context: DNNLContext
  ) throws(NeuralNetError) {
    self.batch = batch
    self.mode = mode
    self.context = context
    var steps: [LayerStep] = []
    var layout = GradientLayout(nodeCount: layers.count)
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
      let targets = inputs[i].map { j in
        j == 0 && !wantsInputGradient
          ? nil : layout.inputGradient(of: j, for: i, desc: steps[j].output.desc, consumers[j])
      }
      layout.addNode(
        i, targets: targets, passesThrough: step is IdentityStep, desc: step.output.desc,
        consumerCount: consumers[i].count)
    }
    self.steps = steps
    guard training else {
      gradients = []
      inputGradients = []
      gradientParts = []
      gradientByteCount = 0
      unsharedGradientByteCount = 0
      blocks = Plan.shareActivations(of: steps, consumers: consumers)
      return
    }

    // The loss writes the last gradient before the backward pass; the input gradient is read
    // after it.
    layout.markUse(of: layout.gradients[layers.count - 1], at: -1)
    layout.markUse(of: layout.gradients[0], at: layers.count)
    let buffers = layout.makeBuffers(context)
    blocks = buffers.blocks
    gradientByteCount = buffers.blocks.byteCount
    unsharedGradientByteCount = layout.descs.reduce(0) { $0 + MemoryDesc.byteCount($1) }
    gradients = layout.gradients.map { buffers.buffers[$0] }
    inputGradients = layout.inputGradients.map { $0.map { $0.map { buffers.buffers[$0] } } }
    gradientParts = layout.parts.map { $0.map { buffers.buffers[$0] } }
  }

  /// Moves the activations of an inference plan onto shared blocks.
  ///
  /// The output buffer of node `k` (an object several pass-through nodes may hand on) lives
  /// from its producer's forward to the last forward that reads it; the last node's output
  /// lives past the end. Buffers with padding keep their own storage, since oneDNN expects
  /// padding to hold zeros and a shared block holds whatever its last buffer left there.
  private static func shareActivations(
    of steps: [LayerStep], consumers: [[Int]]
  ) -> MemoryBlocks? {
    var index: [ObjectIdentifier: Int] = [:]
    var buffers: [DNNLBuffer] = []
    var lives: [ClosedRange<Int>] = []
    for (k, step) in steps.enumerated() {
      let end = k == steps.count - 1 ? steps.count : max(k, consumers[k].max() ?? k)
      if let id = index[ObjectIdentifier(step.output)] {
        lives[id] = min(lives[id].lowerBound, k)...max(lives[id].upperBound, end)
      } else {
        index[ObjectIdentifier(step.output)] = buffers.count
        buffers.append(step.output)
        lives.append(k...end)
      }
    }
    let shared = buffers.indices.filter { hasNoPadding(buffers[$0]) }
    guard !shared.isEmpty else { return nil }
    let blocks = MemoryBlocks(
      sizes: shared.map { buffers[$0].byteCount }, lives: shared.map { lives[$0] })
    for (slot, id) in shared.enumerated() { buffers[id].rebind(to: blocks.pointer(for: slot)) }
    return blocks
  }

  /// Whether a buffer's bytes are exactly its logical elements.
  private static func hasNoPadding(_ buffer: DNNLBuffer) -> Bool {
    let size: Int
    switch buffer.dataType {
    case dnnl_f32: size = 4
    case dnnl_bf16: size = 2
    default: return false
    }
    return MemoryDesc.dims(buffer.desc).reduce(1, *) * size == buffer.byteCount
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
    if parts.isEmpty { return }
    context.wait()
    Elementwise.sum(parts, into: gradients[i])
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
