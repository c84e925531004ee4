import CDNNL
import Testing

@testable import NeuralNet

@Suite struct GradientLayoutTests {
  /// A chain `0 -> 1 -> 2 -> 3`: the gradients of nodes 3 and 1 live at times [-1, 0] and
  /// [1, 2], those of 2 and 0 at [0, 1] and [2, 4], so two blocks suffice.
  @Test func chainNeedsTwoBlocks() throws {
    let context = try DNNLContext()
    let desc = MemoryDesc.make([4, 8], dnnl_nc)
    var layout = GradientLayout(nodeCount: 4)
    layout.addNode(0, targets: [], passesThrough: false, desc: desc, consumerCount: 1)
    for i in 1..<4 {
      let target = layout.inputGradient(of: i - 1, for: i, desc: desc, [i])
      layout.addNode(
        i, targets: [target], passesThrough: false, desc: desc, consumerCount: i < 3 ? 1 : 0)
    }
    layout.markUse(of: layout.gradients[3], at: -1)
    layout.markUse(of: layout.gradients[0], at: 4)
    let made = layout.makeBuffers(context)
    let data = layout.gradients.map { made.buffers[$0].data }
    #expect(made.blocks.pointers.count == 2)
    #expect(made.blocks.byteCount == 2 * 128)
    #expect(data[3] == data[1] && data[2] == data[0] && data[0] != data[1])
  }

  /// A node read by three consumers gets three parts, the first being its own gradient, and
  /// a pass-through node's gradient is the one given to its input.
  @Test func fanOutWritesPartsAndPassThroughSharesItsTarget() throws {
    let desc = MemoryDesc.make([2, 4], dnnl_nc)
    var layout = GradientLayout(nodeCount: 5)
    layout.addNode(0, targets: [], passesThrough: false, desc: desc, consumerCount: 1)
    let t1 = layout.inputGradient(of: 0, for: 1, desc: desc, [1])
    layout.addNode(1, targets: [t1], passesThrough: true, desc: desc, consumerCount: 3)
    var targets: [Int] = []
    for i in 2..<5 {
      targets.append(layout.inputGradient(of: 1, for: i, desc: desc, [2, 3, 4]))
      layout.addNode(
        i, targets: [targets.last], passesThrough: false, desc: desc, consumerCount: 0)
    }
    #expect(layout.gradients[1] == layout.gradients[0])
    #expect(layout.parts[1] == targets)
    #expect(targets[0] == layout.gradients[1])
    #expect(Set(targets).count == 3)
  }
}
