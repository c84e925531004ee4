import CDNNL
import Foundation
import TensorCore
import Testing

@testable import NeuralNet

/// Training plans lend activation memory by lifetime and share gradient blocks; whatever those
/// blocks held before must not change a training step.
@Suite struct MemorySharingTests {
  struct Case: Sendable, CustomTestStringConvertible {
    var model: String
    var precision: Precision
    var testDescription: String { "\(model) \(precision.rawValue)" }
  }

  static let cases = [
    Case(model: "tiny", precision: .fp32), Case(model: "reference", precision: .fp32),
    Case(model: "tiny", precision: .bf16), Case(model: "reference", precision: .bf16),
    Case(model: "branchy", precision: .fp32), Case(model: "branchy", precision: .bf16),
  ]

  /// Shared buffers, a ReLU layer of its own, a dropout that cannot work in place, channel
  /// counts that pad blocked layouts, and softmax as a layer of its own after linear logits.
  static func branchy() -> Architecture {
    var g = GraphBuilder(name: "branchy")
    let input = g.input(height: 12, width: 12, channels: 1)
    let a = g.activation(g.conv2D(input, filters: 12, kernelSize: [3, 3]), .relu)
    let b = g.conv2D(a, filters: 5, kernelSize: [1, 1])
    let c = g.conv2D(g.dropout(a, rate: 0.3), filters: 7, kernelSize: [3, 3], padding: .same)
    let pooled = g.maxPooling2D(a, poolSize: [3, 3], strides: [1, 1], padding: .same)
    var x = g.concatenate([b, c, pooled])
    x = g.activation(g.batchNormalization(x), .relu)
    x = g.flatten(g.dropout(x, rate: 0.2))
    x = g.dropout(g.dense(x, units: 20), rate: 0.25)
    x = g.activation(g.dense(x, units: 10), .softmax)
    return g.architecture(output: x)
  }

  /// One training step of a fresh model (seed 5) on a fixed batch of 4: the logits and every
  /// trainable parameter's gradient.
  ///
  /// With `dirty`, the plan runs in the model's lent activation memory, which is first filled
  /// with 0x3F bytes (finite floats and bfloat16s near 0.75), and every gradient block is filled
  /// with 0xFF bytes (NaNs); without, a plan that was never bound keeps a buffer of its own per
  /// activation.
  func step(_ c: Case, dirty: Bool) throws -> (logits: [Float], gradients: [[Float]]) {
    var generator = SeededGenerator(seed: 5)
    let model =
      c.model == "branchy"
      ? try Model(architecture: Self.branchy(), generator: &generator, precision: c.precision)
      : try Model(named: c.model, generator: &generator, precision: c.precision)
    let batch = 4
    let pixels = model.inputShape.reduce(1, *)
    var data = SeededGenerator(seed: 7)
    let images = (0..<(batch * pixels)).map { _ in data.nextUnitFloat() - 0.5 }
    let labels: [Int32] = [1, 2, 3, 4]
    let plan: Plan
    if dirty {
      plan = try model.plan(batch: batch, mode: .training)
      for (buffer, _) in plan.activationOffsets { memset(buffer.raw, 0x3F, buffer.byteCount) }
      let gradients =
        plan.gradients + plan.gradientParts.flatMap { $0 }
        + plan.inputGradients.flatMap { $0.compactMap { $0 } }
      for buffer in gradients { memset(buffer.raw, 0xFF, buffer.byteCount) }
    } else {
      plan = try Plan(
        layers: model.layers, inputs: model.inputs, consumers: model.consumers, batch: batch,
        mode: .training, wantsInputGradient: false, context: model.context)
    }
    images.withUnsafeBufferPointer {
      plan.input.data.update(from: $0.baseAddress!, count: $0.count)
    }
    var state = RunState(
      generator: SeededGenerator(seed: 9), isDropoutActive: true, statistics: .update)
    plan.forward(&state)
    let logits = Array(UnsafeBufferPointer(start: plan.output.data, count: batch * 10))
    labels.withUnsafeBufferPointer { pointer in
      _ = Losses.crossEntropy(
        logits: plan.output.data, labels: pointer.baseAddress!, rows: batch, classes: 10,
        gradient: plan.gradients[model.layers.count - 1].data, scale: 1 / Float(batch))
    }
    plan.backward()
    let gradients = model.trainableParameters.map {
      Array(UnsafeBufferPointer(start: $0.gradient, count: $0.storageCount))
    }
    return (logits, gradients)
  }

  @Test(arguments: cases)
  func stepIsTheSameWhateverTheSharedMemoryHeld(_ c: Case) throws {
    if c.precision == .bf16 && !DNNLContext.supportsBF16 { return }
    let reference = try step(c, dirty: false)
    #expect(reference.gradients.allSatisfy { $0.allSatisfy(\.isFinite) })
    let dirty = try step(c, dirty: true)
    #expect(dirty.logits == reference.logits)
    let differing = zip(dirty.gradients, reference.gradients).map { a, b in
      zip(a, b).filter { $0 != $1 }.count
    }
    #expect(differing.allSatisfy { $0 == 0 }, "differing elements per parameter: \(differing)")
  }
}
