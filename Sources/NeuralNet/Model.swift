import CDNNL
import Foundation
import TensorCore

/// A functional model on oneDNN: layers, parameters, and training and inference passes.
///
/// Built from an ``Architecture``; images enter as `[N, H, W, C]` floats (NHWC, Keras layout)
/// and the output is a softmax over classes, fused with categorical cross-entropy in training.
/// Primitives and buffers are made once per batch size and mode and cached.
///
/// - Note: plans of every batch size and mode share one block of activation memory, lent to
///   the plan that runs, the size of the largest plan's needs (for the reference model at
///   batch 512: 297 MB for training, 138 MB for inference; activations whose lives do not
///   overlap share memory). Each training plan also holds its gradient blocks (135 MB at batch
///   512; gradients whose lives do not overlap share memory), resident once first used.
///   ``releasePlans()`` frees them all.
///
/// ```swift
/// var generator = SeededGenerator(seed: 42)
/// let model = try Model(named: "reference", generator: &generator)
/// let (loss, correct) = try model.trainStep(
///   images: images, labels: labels, count: 512, generator: &generator)
/// // Apply the optimizer to model.trainableParameters here.
/// ```
public final class Model {
  /// The description the model was built from.
  public let architecture: Architecture
  /// The number format of activations and gradients; weights are always 32-bit.
  public let precision: Precision
  /// Every parameter (trainable and state), layer by layer in Keras weight order.
  public let parameters: [Parameter]
  let layers: [any Layer]
  let inputs: [[Int]]
  let consumers: [[Int]]
  let context: DNNLContext
  private var plans: [PlanKey: Plan] = [:]
  /// The memory lent to the activations of the plan that runs (plans run one at a time).
  private var activationMemory: HostMapping?
  /// The plan whose activations are bound to ``activationMemory``.
  private var boundPlan: PlanKey?

  private struct PlanKey: Hashable {
    var batch: Int
    var mode: PlanMode
    var wantsInputGradient: Bool
  }

  /// Builds a model and initializes its weights (Keras initializers: `glorot_uniform` kernels,
  /// zero biases, batch-norm gamma 1, beta 0, moving mean 0, moving variance 1).
  /// - Parameters:
  ///   - architecture: the layers; the first must be the input and the last a softmax.
  ///   - generator: the source of the initial weights.
  ///   - precision: the number format of activations and gradients; default fp32.
  /// - Throws: ``NeuralNetError/invalidArchitecture(layer:reason:)`` for an architecture that
  ///   fails ``Architecture/validate()`` or a graph that cannot be built,
  ///   ``NeuralNetError/dnnl(layer:operation:status:)`` when oneDNN refuses a layer,
  ///   ``NeuralNetError/unsupportedPrecision(_:reason:)`` for bf16 on a CPU without bfloat16
  ///   instructions.
  public convenience init(
    architecture: Architecture, generator: inout SeededGenerator, precision: Precision = .fp32
  ) throws(NeuralNetError) {
    try self.init(
      architecture: architecture, generator: &generator, requiresSoftmaxOutput: true,
      precision: precision)
  }

  /// Builds a model; without `requiresSoftmaxOutput` the output may be any layer, which only
  /// the tensor-level passes below (used by tests) can run.
  init(
    architecture: Architecture, generator: inout SeededGenerator, requiresSoftmaxOutput: Bool,
    precision: Precision = .fp32
  ) throws(NeuralNetError) {
    try architecture.validate()
    self.precision = precision
    Model.setThreadCount()
    context = try DNNLContext(precision: precision)
    self.architecture = architecture
    let (layers, inputs) = try Model.buildLayers(
      architecture, context: context, generator: &generator)
    if requiresSoftmaxOutput {
      try Model.checkOutput(architecture.layers.last, layers.last)
    } else if layers.isEmpty {
      throw .invalidArchitecture(layer: "model", reason: "the architecture has no layers")
    }
    var consumers = [[Int]](repeating: [], count: layers.count)
    for (i, sources) in inputs.enumerated() {
      for j in sources { consumers[j].append(i) }
    }
    Model.fuseBatchNormReLU(layers, inputs: inputs, consumers: consumers)
    Model.foldBatchNormsIntoConvolutions(layers, inputs: inputs, consumers: consumers)
    Model.markInPlaceDropouts(layers, inputs: inputs, consumers: consumers)
    self.layers = layers
    self.inputs = inputs
    self.consumers = consumers
    parameters = layers.flatMap(\.parameters)
  }

  /// Builds a model whose weights will be loaded afterwards (for example from a checkpoint);
  /// the initial weights come from seed 0.
  /// - Throws: the errors of ``init(architecture:generator:precision:)``.
  public convenience init(
    architecture: Architecture, precision: Precision = .fp32
  ) throws(NeuralNetError) {
    var generator = SeededGenerator(seed: 0)
    try self.init(architecture: architecture, generator: &generator, precision: precision)
  }

  /// Builds one of the named models of ``ModelBuilder``.
  /// - Throws: ``NeuralNetError/unknownModel(name:known:)`` for an unknown name, and the errors
  ///   of ``init(architecture:generator:precision:)``.
  public convenience init(
    named name: String, generator: inout SeededGenerator, precision: Precision = .fp32
  ) throws(NeuralNetError) {
    try self.init(
      architecture: ModelBuilder.architecture(named: name), generator: &generator,
      precision: precision)
  }

  /// How training passes compute eligible 3×3 convolutions (see ``ConvolutionAlgorithm``).
  ///
  /// `direct` unless set. Setting another value drops the cached plans, so the next pass builds
  /// its primitives with it.
  public var convolutionAlgorithm: ConvolutionAlgorithm {
    get { context.convolutionAlgorithm }
    set {
      guard newValue != context.convolutionAlgorithm else { return }
      context.convolutionAlgorithm = newValue
      releasePlans()
    }
  }

  /// The parameters an optimizer updates.
  public var trainableParameters: [Parameter] { parameters.filter(\.isTrainable) }

  /// The input shape `[H, W, C]`.
  public var inputShape: [Int] { layers[0].outputShape.keras }

  /// The number of output classes.
  public var classCount: Int { layers[layers.count - 1].outputShape.keras[0] }

  /// The regularization loss `Σ λ · Σ w²` over all parameters with an L2 penalty.
  public var l2Loss: Float {
    var total: Double = 0
    for p in parameters where p.l2Penalty != 0 {
      total += Double(p.l2Penalty) * LayerSupport.squaredSum(p)
    }
    return Float(total)
  }

  /// Frees the cached primitives and buffers of every batch size (they are rebuilt on demand).
  public func releasePlans() {
    plans.removeAll()
    boundPlan = nil
    activationMemory = nil
  }

  // MARK: - Training

  /// Runs one training step and leaves the gradients for the optimizer.
  ///
  /// Forward in training mode (batch statistics, dropout), the loss, and backward, leaving every
  /// trainable parameter's `gradient` set and the batch-norm moving statistics updated. The
  /// optimizer update is left to the caller.
  ///
  /// `loss = mean_n CE(softmax(z_n), y_n) + Σ λ · Σ w²`; each gradient includes `2 λ w`.
  /// - Parameters:
  ///   - images: `count · H · W · C` floats, `[N, H, W, C]`.
  ///   - labels: `count` class indices in `0..<classCount`.
  ///   - count: the batch size `N`; a plan is built the first time each size is seen.
  ///   - generator: the dropout stream.
  /// - Returns: the loss (Keras's reported training loss) and the number of correct arg-max
  ///   predictions.
  /// - Throws: ``NeuralNetError/dnnl(layer:operation:status:)`` when a plan cannot be built.
  public func trainStep(
    images: UnsafePointer<Float>, labels: UnsafePointer<Int32>, count: Int,
    generator: inout SeededGenerator
  ) throws(NeuralNetError) -> (loss: Float, correct: Int) {
    let plan = try self.plan(batch: count, mode: .training)
    load(images, into: plan)
    var state = RunState(generator: generator, isDropoutActive: true, statistics: .update)
    plan.forward(&state)
    generator = state.generator

    let classes = classCount
    let (sum, correct) = Losses.crossEntropy(
      logits: plan.output.data, labels: labels, rows: count, classes: classes,
      gradient: plan.gradients[layers.count - 1].data, scale: 1 / Float(count))
    plan.backward()
    return (Float(sum / Double(count)) + l2Loss, correct)
  }

  /// ``trainStep(images:labels:count:generator:)`` with labels in an array.
  public func trainStep(
    images: UnsafePointer<Float>, labels: [Int32], generator: inout SeededGenerator
  ) throws(NeuralNetError) -> (loss: Float, correct: Int) {
    try labels.withUnsafeBufferPointer { pointer throws(NeuralNetError) in
      // An empty array has no base address; the batch then has no rows.
      guard let base = pointer.baseAddress else { return (l2Loss, 0) }
      return try trainStep(images: images, labels: base, count: labels.count, generator: &generator)
    }
  }

  // MARK: - Inference

  /// The class probabilities for a batch, in inference mode (moving statistics, no dropout).
  /// - Parameters:
  ///   - images: `count · H · W · C` floats, `[N, H, W, C]`.
  ///   - count: the batch size.
  /// - Returns: `[count, classCount]` probabilities, each row summing to 1.
  /// - Throws: ``NeuralNetError/dnnl(layer:operation:status:)`` when a plan cannot be built.
  public func predict(images: UnsafePointer<Float>, count: Int) throws(NeuralNetError) -> Tensor {
    let plan = try self.plan(batch: count, mode: .inference)
    load(images, into: plan)
    var state = RunState(
      generator: SeededGenerator(seed: 0), isDropoutActive: false, statistics: .update)
    plan.forward(&state)
    var probabilities = [Float](repeating: 0, count: count * classCount)
    probabilities.withUnsafeMutableBufferPointer {
      guard let base = $0.baseAddress else { return }
      Losses.softmax(plan.output.data, rows: count, classes: classCount, into: base)
    }
    return Tensor(shape: [count, classCount], scalars: probabilities)
  }

  /// The mean loss and accuracy over a data set in inference mode, as Keras reports `val_loss`
  /// (cross-entropy averaged over samples plus the L2 penalties) and `val_accuracy`.
  /// - Parameters:
  ///   - images: `count · H · W · C` floats.
  ///   - labels: `count` class indices.
  ///   - count: the number of samples.
  ///   - batchSize: samples per forward pass; the last batch may be smaller. Default 512.
  /// - Returns: the mean loss and the number of correct predictions.
  /// - Throws: ``NeuralNetError/dnnl(layer:operation:status:)`` when a plan cannot be built.
  public func evaluate(
    images: UnsafePointer<Float>, labels: UnsafePointer<Int32>, count: Int, batchSize: Int = 512
  ) throws(NeuralNetError) -> Evaluation {
    precondition(batchSize > 0, "evaluate needs a positive batch size, got \(batchSize)")
    let pixels = inputShape.reduce(1, *)
    var total: Double = 0
    var correct = 0
    var start = 0
    while start < count {
      let n = min(batchSize, count - start)
      let plan = try self.plan(batch: n, mode: .inference)
      load(images + start * pixels, into: plan)
      var state = RunState(
        generator: SeededGenerator(seed: 0), isDropoutActive: false, statistics: .update)
      plan.forward(&state)
      let result = Losses.crossEntropy(
        logits: plan.output.data, labels: labels + start, rows: n, classes: classCount,
        gradient: nil, scale: 0)
      total += result.sum
      correct += result.correct
      start += n
    }
    let meanLoss = count > 0 ? Float(total / Double(count)) : 0
    return Evaluation(
      loss: meanLoss + l2Loss, correct: correct, count: count)
  }

  /// Recomputes every batch-norm layer's moving statistics exactly from a data set.
  ///
  /// Runs the training-mode forward pass (batch statistics, no dropout, no backward) over the
  /// batches and sets `moving_mean` and `moving_variance` to the sample-weighted means of the
  /// batch statistics. With momentum 0.99 and few steps per epoch, the moving statistics lag the
  /// weights far behind and inference scores poorly; this replaces them with current values.
  /// - Parameters:
  ///   - images: `count · H · W · C` floats.
  ///   - count: the number of samples.
  ///   - batchSize: samples per forward pass; default 512.
  /// - Throws: ``NeuralNetError/dnnl(layer:operation:status:)`` when a plan cannot be built.
  public func recalibrateBatchNorm(
    images: UnsafePointer<Float>, count: Int, batchSize: Int = 512
  ) throws(NeuralNetError) {
    precondition(batchSize > 0, "recalibration needs a positive batch size, got \(batchSize)")
    let norms = layers.compactMap { $0 as? BatchNorm }
    for norm in norms { norm.resetCalibration() }
    let pixels = inputShape.reduce(1, *)
    var start = 0
    while start < count {
      let n = min(batchSize, count - start)
      let plan = try self.plan(batch: n, mode: .training)
      load(images + start * pixels, into: plan)
      var state = RunState(
        generator: SeededGenerator(seed: 0), isDropoutActive: false, statistics: .accumulate)
      plan.forward(&state)
      start += n
    }
    for norm in norms { norm.finishCalibration() }
  }

  // MARK: - Tensor-level passes

  /// The last layer's output for an input batch, in Keras layout.
  ///
  /// `[N, H, W, C]` in, `[N, ...]` out. In training mode, dropout draws its mask from `seed`,
  /// so equal seeds give equal masks.
  func forward(_ input: Tensor, mode: PlanMode, seed: UInt64 = 0) throws(NeuralNetError) -> Tensor {
    let plan = try self.plan(batch: input.shape[0], mode: mode, wantsInputGradient: true)
    try plan.write(input, into: plan.input, shape: layers[0].outputShape)
    var state = RunState(
      generator: SeededGenerator(seed: seed), isDropoutActive: true, statistics: .update)
    plan.forward(&state)
    return try plan.kerasTensor(plan.output, shape: layers[layers.count - 1].outputShape)
  }

  /// Back-propagates `outputGradient` (Keras layout) through the training pass last run by
  /// ``forward(_:mode:seed:)``: fills every parameter gradient and returns d/d(input).
  func backward(outputGradient: Tensor) throws(NeuralNetError) -> Tensor {
    let batch = outputGradient.shape[0]
    let plan = try self.plan(batch: batch, mode: .training, wantsInputGradient: true)
    let last = layers.count - 1
    try plan.write(outputGradient, into: plan.gradients[last], shape: layers[last].outputShape)
    plan.backward()
    return try plan.kerasTensor(plan.gradients[0], shape: layers[0].outputShape)
  }

  // MARK: - Plans

  func plan(
    batch: Int, mode: PlanMode, wantsInputGradient: Bool = false
  ) throws(NeuralNetError) -> Plan {
    precondition(batch > 0, "a batch needs at least one sample, got \(batch)")
    let key = PlanKey(batch: batch, mode: mode, wantsInputGradient: wantsInputGradient)
    let plan: Plan
    if let cached = plans[key] {
      plan = cached
    } else {
      plan = try Plan(
        layers: layers, inputs: inputs, consumers: consumers, batch: batch, mode: mode,
        wantsInputGradient: wantsInputGradient, context: context)
      plans[key] = plan
    }
    bindActivations(of: plan, key: key)
    return plan
  }

  /// Lends the activation memory to `plan` unless it holds it already.
  ///
  /// Plans run one at a time and keep nothing in their activations from one call to the next
  /// (a training step's forward and backward passes use one plan), so the plans of a model
  /// share one block the size of the largest plan's needs. A plan that is not bound has its
  /// activations pointing at memory another plan uses, so a plan is used only through a fresh
  /// ``plan(batch:mode:wantsInputGradient:)`` call.
  private func bindActivations(of plan: Plan, key: PlanKey) {
    if boundPlan == key { return }
    if (activationMemory?.byteCount ?? -1) < plan.activationByteCount {
      // The other plans rebind before they next run, so the old block can go.
      activationMemory = nil
      activationMemory = HostMapping(byteCount: plan.activationByteCount)
    }
    if let activationMemory { plan.bindActivations(to: activationMemory) }
    boundPlan = key
  }

  private func load(_ images: UnsafePointer<Float>, into plan: Plan) {
    let count = plan.batch * inputShape.reduce(1, *)
    plan.input.data.update(from: images, count: count)
  }

  /// Caps the OpenMP threads at the core count; a lower count set through
  /// ``setThreadCount(_:)`` is kept.
  private static func setThreadCount() {
    let cores = Int32(ProcessInfo.processInfo.activeProcessorCount)
    if omp_get_max_threads() > cores { omp_set_num_threads(cores) }
  }

  /// Sets the number of threads oneDNN computes with, for every model in the process.
  ///
  /// The default is the core count. On a machine shared with other busy processes, fewer
  /// threads can be much faster: OpenMP threads wait for each other at every layer, and a
  /// descheduled thread stalls the rest (measured: one thread 570 ms per reference step at
  /// batch 512, two threads 1,700 ms while other jobs kept both cores busy).
  /// - Precondition: `count` is at least 1.
  public static func setThreadCount(_ count: Int) {
    precondition(count >= 1, "thread count must be at least 1, got \(count)")
    omp_set_num_threads(Int32(count))
  }

  // MARK: - Construction

  /// Creates the layers in order and resolves each one's inputs to earlier layer indices.
  private static func buildLayers(
    _ architecture: Architecture, context: DNNLContext, generator: inout SeededGenerator
  ) throws(NeuralNetError) -> ([any Layer], [[Int]]) {
    var layers: [any Layer] = []
    var inputs: [[Int]] = []
    var index: [String: Int] = [:]
    for (i, description) in architecture.layers.enumerated() {
      var sources: [Int] = []
      for name in description.inputs {
        guard let j = index[name] else {
          throw .invalidArchitecture(
            layer: description.name, reason: "input '\(name)' is not an earlier layer")
        }
        sources.append(j)
      }
      guard index[description.name] == nil else {
        throw .invalidArchitecture(layer: description.name, reason: "duplicate layer name")
      }
      let isInput: Bool
      if case .input = description.kind { isInput = true } else { isInput = false }
      guard isInput == (i == 0), isInput == sources.isEmpty else {
        throw .invalidArchitecture(
          layer: description.name,
          reason: "the first layer, and only it, must be the input with no inputs")
      }
      let shapes = sources.map { layers[$0].outputShape }
      layers.append(
        try makeLayer(description, shapes, context: context, generator: &generator))
      inputs.append(sources)
      index[description.name] = i
    }
    return (layers, inputs)
  }

  private static func makeLayer(
    _ d: LayerDescription, _ shapes: [NodeShape], context: DNNLContext,
    generator: inout SeededGenerator
  ) throws(NeuralNetError) -> any Layer {
    switch d.kind {
    case .input(let h, let w, let c):
      return InputLayer(name: d.name, shape: NodeShape(height: h, width: w, channels: c))
    case .concatenate:
      return try Concatenate(name: d.name, inputs: shapes)
    case .conv2D(let filters, let kernelSize, let strides, let padding, let useBias, let l2):
      return try Conv2D(
        name: d.name, input: single(d, shapes), filters: filters, kernelSize: kernelSize,
        strides: strides, padding: padding, useBias: useBias, kernelL2: l2, context: context,
        generator: &generator)
    case .batchNormalization(let momentum, let epsilon):
      return BatchNorm(
        name: d.name, input: try single(d, shapes), momentum: momentum, epsilon: epsilon)
    case .activation(let kind):
      return Activation(name: d.name, input: try single(d, shapes), kind: kind)
    case .maxPooling2D(let poolSize, let strides, let padding):
      return try MaxPool2D(
        name: d.name, input: single(d, shapes), poolSize: poolSize, strides: strides,
        padding: padding)
    case .dropout(let rate):
      return try Dropout(name: d.name, input: single(d, shapes), rate: rate)
    case .flatten:
      return Flatten(name: d.name, input: try single(d, shapes))
    case .dense(let units, let activation, let useBias, let l2):
      return try Dense(
        name: d.name, input: single(d, shapes), units: units, activation: activation,
        useBias: useBias, kernelL2: l2, context: context, generator: &generator)
    }
  }

  /// The one input shape of a single-input layer.
  private static func single(
    _ d: LayerDescription, _ shapes: [NodeShape]
  ) throws(NeuralNetError) -> NodeShape {
    guard shapes.count == 1, let shape = shapes.first else {
      throw .invalidArchitecture(
        layer: d.name, reason: "\(d.kind.typeName) expects one input, got \(shapes.count)")
    }
    return shape
  }

  /// Lets each batch normalization read by a single ReLU activation apply that ReLU itself.
  private static func fuseBatchNormReLU(
    _ layers: [any Layer], inputs: [[Int]], consumers: [[Int]]
  ) {
    for (i, layer) in layers.enumerated() {
      guard let activation = layer as? Activation, activation.kind == .relu,
        let producer = inputs[i].first, consumers[producer].count == 1,
        let norm = layers[producer] as? BatchNorm
      else { continue }
      norm.fusesReLU = true
      activation.isFusedIntoProducer = true
    }
  }

  /// Lets inference passes apply each batch normalization (and its fused ReLU) inside the
  /// convolution that alone feeds it, as post-operations.
  private static func foldBatchNormsIntoConvolutions(
    _ layers: [any Layer], inputs: [[Int]], consumers: [[Int]]
  ) {
    for (i, layer) in layers.enumerated() {
      guard let norm = layer as? BatchNorm, let producer = inputs[i].first,
        consumers[producer].count == 1, let convolution = layers[producer] as? Conv2D
      else { continue }
      convolution.foldedNorm = norm
      norm.isFoldedIntoConvolution = true
    }
  }

  /// Lets each dropout overwrite its input buffer in training when nothing else reads it.
  ///
  /// The buffer belongs to the first producer up the chain that is not a pass-through (a
  /// `Flatten`, an `Activation` that is the identity or fused into its producer, or a dropout
  /// already in place). Every node on the way must feed only the next one, and the owner must
  /// not be the model input (the plan's input buffer is written by the caller). Sound because
  /// no backward pass in this engine reads its own output: convolution, dense, batch norm and
  /// ReLU read their source, pooling and fused ReLU keep a workspace, concatenation reads none.
  private static func markInPlaceDropouts(
    _ layers: [any Layer], inputs: [[Int]], consumers: [[Int]]
  ) {
    for (i, layer) in layers.enumerated() {
      guard let dropout = layer as? Dropout, var j = inputs[i].first else { continue }
      while j != 0, consumers[j].count == 1, passesBufferThrough(layers[j]),
        let next = inputs[j].first
      {
        j = next
      }
      dropout.isInPlace = j != 0 && consumers[j].count == 1
    }
  }

  /// Whether a layer's training step hands its input buffer on as its output.
  private static func passesBufferThrough(_ layer: any Layer) -> Bool {
    switch layer {
    case is Flatten: return true
    case let activation as Activation:
      return activation.kind != .relu || activation.isFusedIntoProducer
    case let dropout as Dropout: return dropout.isInPlace || dropout.rate == 0
    default: return false
    }
  }

  private static func checkOutput(
    _ description: LayerDescription?, _ layer: (any Layer)?
  ) throws(NeuralNetError) {
    guard let description, let layer else {
      throw .invalidArchitecture(layer: "model", reason: "the architecture has no layers")
    }
    let isSoftmax: Bool
    switch description.kind {
    case .dense(_, .softmax, _, _), .activation(.softmax): isSoftmax = true
    default: isSoftmax = false
    }
    guard isSoftmax, layer.outputShape.physical.count == 1 else {
      throw .invalidArchitecture(
        layer: description.name,
        reason: "the output layer must be a softmax over a flat [classes] vector, got "
          + "\(description.kind.typeName) with output \(layer.outputShape.keras)")
    }
  }
}

/// Mean loss and accuracy over a data set.
public struct Evaluation: Sendable, Equatable {
  /// Mean cross-entropy plus the L2 penalties.
  public var loss: Float
  /// Samples whose arg-max prediction equals the label.
  public var correct: Int
  /// Samples evaluated.
  public var count: Int

  /// `correct / count`, or 0 for an empty set.
  public var accuracy: Float { count > 0 ? Float(correct) / Float(count) : 0 }
}
