import CDNNL
import TensorCore

extension Model {
  /// Times every layer's forward and backward pass of a training step on synthetic data.
  ///
  /// Runs `warmupIterations` full training steps through
  /// ``trainStep(images:labels:count:generator:)`` on images uniform in `[-0.5, 0.5)` and
  /// random labels, which also builds the plan and leaves that batch in its input. Each timed
  /// iteration then runs the layers' forward passes in order, the loss and its gradient as a
  /// training step does, and the backward passes in reverse, one at a time with a stream wait
  /// after each. Parameter gradients and the batch-norm moving statistics change as in
  /// training; no optimizer runs.
  /// - Parameters:
  ///   - batch: the batch size.
  ///   - iterations: timed iterations; each layer's time is its median.
  ///   - warmupIterations: full training steps before timing; default 1.
  ///   - generator: the source of the synthetic batch and the dropout masks.
  /// - Returns: the per-layer times with their operation counts at `batch`.
  /// - Throws: ``NeuralNetError/dnnl(layer:operation:status:)`` when the plan cannot be built.
  /// - Precondition: `batch` and `iterations` are at least 1, `warmupIterations` at least 1.
  public func profile(
    batch: Int, iterations: Int, warmupIterations: Int = 1, generator: inout SeededGenerator
  ) throws(NeuralNetError) -> ModelProfile {
    precondition(batch >= 1, "profiling needs a batch of at least 1, got \(batch)")
    precondition(iterations >= 1, "profiling needs at least 1 iteration, got \(iterations)")
    precondition(
      warmupIterations >= 1, "profiling needs at least 1 warm-up step, got \(warmupIterations)")
    let pixels = batch * inputShape.reduce(1, *)
    let images = (0..<pixels).map { _ in generator.nextUnitFloat() - 0.5 }
    let labels = (0..<batch).map { _ in Int32(generator.next() % UInt64(classCount)) }
    for _ in 0..<warmupIterations {
      _ = try images.withUnsafeBufferPointer { pointer throws(NeuralNetError) in
        // A batch of at least one image has a base address.
        try trainStep(images: pointer.baseAddress!, labels: labels, generator: &generator)
      }
    }

    let plan = try self.plan(batch: batch, mode: .training)
    let count = layers.count
    var forward = [[Double]](repeating: [], count: count)
    var backward = [[Double]](repeating: [], count: count)
    var loss: [Double] = []
    for _ in 0..<iterations {
      var state = RunState(generator: generator, isDropoutActive: true, statistics: .update)
      context.wait()
      for i in 1..<count {
        let start = monotonicSeconds()
        plan.forwardStep(i, &state)
        context.wait()
        forward[i].append(monotonicSeconds() - start)
      }
      generator = state.generator
      let lossStart = monotonicSeconds()
      labels.withUnsafeBufferPointer { pointer in
        // A batch of at least one label has a base address.
        _ = Losses.crossEntropy(
          logits: plan.output.data, labels: pointer.baseAddress!, rows: batch,
          classes: classCount, gradient: plan.gradients[count - 1].data, scale: 1 / Float(batch))
      }
      loss.append(monotonicSeconds() - lossStart)
      for i in stride(from: count - 1, through: 0, by: -1) {
        let start = monotonicSeconds()
        plan.backwardStep(i)
        context.wait()
        backward[i].append(monotonicSeconds() - start)
      }
    }

    let costs = layerCosts(batch: batch)
    let entries = (0..<count).map { i in
      ModelProfile.Entry(
        cost: costs[i], forwardMilliseconds: Model.median(forward[i]) * 1000,
        backwardMilliseconds: Model.median(backward[i]) * 1000,
        kernels: Model.kernels(plan.steps[i]))
    }
    return ModelProfile(
      batch: batch, precision: precision, iterations: iterations, layers: entries,
      lossMilliseconds: Model.median(loss) * 1000)
  }

  /// The distinct implementation names of a step's primitives other than reorders.
  static func kernels(_ step: LayerStep) -> [String] {
    var names: [String] = []
    for primitive in step.primitives where primitive.kind != dnnl_reorder {
      let name = primitive.implementation
      if !names.contains(name) { names.append(name) }
    }
    return names
  }

  /// The middle value (the mean of the two middle values for an even count); 0 when empty.
  static func median(_ values: [Double]) -> Double {
    guard !values.isEmpty else { return 0 }
    let sorted = values.sorted()
    let middle = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
  }
}
