import CDNNL

/// Which gradient buffers a training plan needs, when each is used in the backward pass, and
/// which of them can share memory.
///
/// Time `t` of the backward pass is the backward of node `nodeCount - 1 - t`; the loss writes
/// the last node's gradient at time -1 and the caller reads the input gradient at `nodeCount`.
/// A buffer lives from its first use to its last (both included): node `i`'s gradient from the
/// backward of its first consumer to its own. Buffers whose lives do not overlap share a block.
///
/// Routing: a consumer writes straight into its producer's gradient when it is the only
/// consumer; with several, each writes a part, and the parts are summed into the producer's
/// gradient before its backward (the first part is that gradient itself). A pass-through step
/// (`IdentityStep`) has no buffer of its own: its gradient is the one its input is given.
struct GradientLayout {
  let nodeCount: Int
  /// Per buffer: its descriptor.
  private(set) var descs: [dnnl_memory_desc_t] = []
  private var firstUse: [Int] = []
  private var lastUse: [Int] = []
  /// Per node: the buffer holding d(loss)/d(output).
  private(set) var gradients: [Int] = []
  /// Per node, per input: the buffer its backward writes that input's gradient into.
  private(set) var inputGradients: [[Int?]] = []
  /// Per node: the buffers its consumers write, summed into ``gradients`` before its backward.
  private(set) var parts: [[Int]]

  init(nodeCount: Int) {
    self.nodeCount = nodeCount
    parts = Array(repeating: [], count: nodeCount)
  }

  /// The time of node `i`'s backward.
  func time(_ node: Int) -> Int { nodeCount - 1 - node }

  /// Records that buffer `id` is read or written at `time`.
  mutating func markUse(of id: Int, at time: Int) {
    firstUse[id] = min(firstUse[id], time)
    lastUse[id] = max(lastUse[id], time)
  }

  /// The buffer that `consumer`'s backward writes the gradient of its input `producer` into.
  ///
  /// Call it for each input of a node before adding the node.
  mutating func inputGradient(
    of producer: Int, for consumer: Int, desc: dnnl_memory_desc_t, _ consumers: [Int]
  ) -> Int {
    var id = gradients[producer]
    if consumers.count > 1 {
      if !parts[producer].isEmpty { id = newBuffer(desc) }
      parts[producer].append(id)
      markUse(of: id, at: time(producer))
    }
    markUse(of: id, at: time(consumer))
    return id
  }

  /// Adds node `i`: its input gradient targets and its own gradient buffer.
  /// - Parameters:
  ///   - i: the node; nodes are added in order.
  ///   - targets: per input, from ``inputGradient(of:for:desc:_:)``, or nil when not needed.
  ///   - passesThrough: whether the step's output is its input (its gradient is its target).
  ///   - desc: the descriptor of the node's output.
  ///   - consumerCount: how many nodes read the node's output.
  mutating func addNode(
    _ i: Int, targets: [Int?], passesThrough: Bool, desc: dnnl_memory_desc_t, consumerCount: Int
  ) {
    precondition(i == gradients.count, "nodes are added in order")
    inputGradients.append(targets)
    let id: Int
    if passesThrough, let target = targets.first ?? nil {
      id = target
    } else {
      id = newBuffer(desc)
    }
    gradients.append(id)
    markUse(of: id, at: time(i))
    if consumerCount == 0 && i != nodeCount - 1 {
      // Nothing writes the gradient of an unused output: it must stay zero, so it shares with
      // nothing.
      markUse(of: id, at: -1)
      markUse(of: id, at: nodeCount)
    }
  }

  private mutating func newBuffer(_ desc: dnnl_memory_desc_t) -> Int {
    descs.append(desc)
    firstUse.append(.max)
    lastUse.append(.min)
    return descs.count - 1
  }

  /// Assigns the buffers to shared blocks (see ``MemoryBlocks``) and makes a buffer borrowing
  /// its block for each descriptor.
  /// - Returns: the buffers by id, and the blocks they borrow (which must outlive them).
  func makeBuffers(_ context: DNNLContext) -> (buffers: [DNNLBuffer], blocks: MemoryBlocks) {
    let blocks = MemoryBlocks(
      sizes: descs.map { MemoryDesc.byteCount($0) },
      lives: descs.indices.map { firstUse[$0]...lastUse[$0] })
    let buffers = descs.indices.map { id in
      DNNLBuffer(
        descs[id], context, borrowing: blocks.pointer(for: id).assumingMemoryBound(to: Float.self))
    }
    return (buffers, blocks)
  }
}
