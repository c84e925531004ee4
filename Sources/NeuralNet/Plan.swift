import CDNNL
import TensorCore

/// A model bound to one batch size and mode: every layer's step, the activations and the
/// gradient buffers, created once and reused for every batch of that size.
///
/// Gradient buffers whose lives in the backward pass do not overlap share memory (see
/// ``GradientLayout``); ``gradients``[0] stays valid after ``backward()``.
///
/// Note: gradient buffers with padding share blocks too. That relies on every backward pass
/// writing its input gradients whole, padding included, as oneDNN's kernels and the Swift loops
/// do; `MemorySharingTests` fills the blocks with NaNs first and gets identical results.
///
/// Activations live in memory the model lends to the plan it runs (``bindActivations(to:)``),
/// laid out by ``activationOffsets``: buffers whose lives do not overlap share a block. In
/// training, a buffer some backward pass reads lives to the end; in both modes ``output`` stays
/// valid after ``forward(_:)``. Buffers with padding keep their own storage, since oneDNN
/// expects padding to hold zeros and shared memory holds whatever another buffer left there.
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
  /// The activations kept in lent memory and their byte offsets in it.
  let activationOffsets: [(buffer: DNNLBuffer, offset: Int)]
  /// The bytes of lent memory the activations need.
  let activationByteCount: Int
  private let context: DNNLContext
  /// The memory of the gradient buffers.
  private let gradientBlocks: MemoryBlocks?

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
    (activationOffsets, activationByteCount) = Plan.layOutActivations(
      of: steps, layers: layers, consumers: consumers, isTraining: training)
    guard training else {
      gradients = []
      inputGradients = []
      gradientParts = []
      gradientByteCount = 0
      unsharedGradientByteCount = 0
      gradientBlocks = nil
      return
    }

    // The loss writes the last gradient before the backward pass; the input gradient is read
    // after it.
    layout.markUse(of: layout.gradients[layers.count - 1], at: -1)
    layout.markUse(of: layout.gradients[0], at: layers.count)
    let buffers = layout.makeBuffers(context)
    gradientBlocks = buffers.blocks
    gradientByteCount = buffers.blocks.byteCount
    unsharedGradientByteCount = layout.descs.reduce(0) { $0 + MemoryDesc.byteCount($1) }
    gradients = layout.gradients.map { buffers.buffers[$0] }
    inputGradients = layout.inputGradients.map { $0.map { $0.map { buffers.buffers[$0] } } }
    gradientParts = layout.parts.map { $0.map { buffers.buffers[$0] } }
  }

  /// Moves every activation in ``activationOffsets`` onto `memory` at its offset; the contents
  /// are not carried over.
  ///
  /// The first call frees the storage the activations were created with (mapped and never
  /// written, so it cost no resident memory).
  /// - Precondition: `memory` spans at least ``activationByteCount`` bytes.
  func bindActivations(to memory: HostMapping) {
    precondition(memory.byteCount >= activationByteCount, "lent activation memory is too small")
    for (buffer, offset) in activationOffsets { buffer.rebind(to: memory.pointer + offset) }
  }

  /// The activations that go into lent memory and their offsets.
  ///
  /// The output buffer of node `k` (an object several pass-through nodes may hand on) lives
  /// from its producer's forward to the last forward that reads it; the last node's output
  /// lives past the end. In training a buffer also lives through the backward pass when a
  /// reader's backward reads it (see ``backwardReadsInput(_:)``).
  private static func layOutActivations(
    of steps: [LayerStep], layers: [any Layer], consumers: [[Int]], isTraining: Bool
  ) -> ([(buffer: DNNLBuffer, offset: Int)], Int) {
    var index: [ObjectIdentifier: Int] = [:]
    var buffers: [DNNLBuffer] = []
    var lives: [ClosedRange<Int>] = []
    for (k, step) in steps.enumerated() {
      var end = k == steps.count - 1 ? steps.count : max(k, consumers[k].max() ?? k)
      if isTraining && consumers[k].contains(where: { backwardReadsInput(layers[$0]) }) {
        end = steps.count
      }
      if let id = index[ObjectIdentifier(step.output)] {
        lives[id] = min(lives[id].lowerBound, k)...max(lives[id].upperBound, end)
      } else {
        index[ObjectIdentifier(step.output)] = buffers.count
        buffers.append(step.output)
        lives.append(k...end)
      }
    }
    let kept = buffers.indices.filter { hasNoPadding(buffers[$0]) }
    let assignment = MemoryBlocks.assign(
      sizes: kept.map { buffers[$0].byteCount }, lives: kept.map { lives[$0] })
    var blockOffsets: [Int] = []
    var total = 0
    for size in assignment.blockSizes {
      blockOffsets.append(total)
      total += size
    }
    let offsets = kept.enumerated().map { slot, id in
      (buffer: buffers[id], offset: blockOffsets[assignment.blockOf[slot]])
    }
    return (offsets, total)
  }

  /// Whether a layer's training backward pass reads its input activations.
  ///
  /// Max pooling keeps the positions of its maxima in a workspace, concatenation only splits
  /// the gradient and dropout keeps its mask; a pass-through layer reads nothing itself (its
  /// readers are the readers of the same buffer). Every other layer reads its source.
  private static func backwardReadsInput(_ layer: any Layer) -> Bool {
    switch layer {
    case is MaxPool2D, is Concatenate, is Dropout, is Flatten: false
    case let activation as Activation: activation.kind == .relu && !activation.isFusedIntoProducer
    default: true
    }
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
