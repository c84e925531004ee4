import CDNNL
import TensorCore
import TestSupport
import Testing

@testable import NeuralNet

/// Inference batch normalization applied inside the convolution before it, as post-operations.
@Suite struct BatchNormFoldingTests {
  /// A convolution with bias (8x8x3 → 8x8x16), batch normalization, then ReLU when asked.
  static func architecture(relu: Bool, endAtConvolution: Bool = false) -> Architecture {
    var g = GraphBuilder(name: "fold")
    let x = g.input(height: 8, width: 8, channels: 3)
    let conv = g.conv2D(x, filters: 16, kernelSize: [3, 3], padding: .same)
    if endAtConvolution { return g.architecture(output: conv) }
    let norm = g.batchNormalization(conv)
    let out = relu ? g.activation(norm, .relu) : norm
    return g.architecture(output: out)
  }

  static func model(_ architecture: Architecture, precision: Precision = .fp32) throws -> Model {
    var generator = SeededGenerator(seed: 31)
    return try Model(
      architecture: architecture, generator: &generator, requiresSoftmaxOutput: false,
      precision: precision)
  }

  /// Moving statistics and affine parameters away from their initial values.
  static func setStatistics(_ model: Model, seed: UInt64) throws {
    let norm = try #require(model.layers.compactMap { $0 as? BatchNorm }.first)
    var generator = SeededGenerator(seed: seed)
    for i in 0..<16 {
      norm.gamma.value[i] = generator.nextUnitFloat() * 2 - 0.5
      norm.beta.value[i] = generator.nextUnitFloat() - 0.5
      norm.movingMean.value[i] = generator.nextUnitFloat() - 0.5
      norm.movingVariance.value[i] = generator.nextUnitFloat() * 3 + 0.01
    }
  }

  static let input: Tensor = {
    var generator = SeededGenerator(seed: 32)
    return Tensor(
      shape: [4, 8, 8, 3],
      scalars: uniformScalars(count: 4 * 8 * 8 * 3, low: -1, high: 1, generator: &generator))
  }()

  /// `γ (z - μ) / sqrt(σ² + ε) + β` on the convolution's output, then ReLU.
  static func expected(convolution: Tensor, norm: BatchNorm, relu: Bool) -> [Float] {
    convolution.scalars.enumerated().map { index, z in
      let c = index % 16
      let y =
        norm.gamma.value[c] * (z - norm.movingMean.value[c])
        / (norm.movingVariance.value[c] + norm.epsilon).squareRoot() + norm.beta.value[c]
      return relu ? max(y, 0) : y
    }
  }

  @Test(arguments: [false, true])
  func foldedInferenceEqualsTheSeparateLayers(relu: Bool) throws {
    let model = try Self.model(Self.architecture(relu: relu))
    let convolutionOnly = try Self.model(Self.architecture(relu: relu, endAtConvolution: true))
    try Self.setStatistics(model, seed: 33)
    let norm = try #require(model.layers.compactMap { $0 as? BatchNorm }.first)
    let conv = try #require(model.layers.compactMap { $0 as? Conv2D }.first)

    #expect(norm.isFoldedIntoConvolution && conv.foldedNorm === norm)
    let plan = try model.plan(batch: 4, mode: .inference)
    let kinds = plan.steps.flatMap(\.primitives).map(\.kind)
    #expect(!kinds.contains(dnnl_batch_normalization), "no batch-norm primitive runs")
    #expect(!kinds.contains(dnnl_eltwise), "nor a separate ReLU")
    let expected = Self.expected(
      convolution: try convolutionOnly.forward(Self.input, mode: .inference), norm: norm,
      relu: relu)
    let actual = try model.forward(Self.input, mode: .inference).scalars
    expectClose(actual, expected, rtol: 1e-5, atol: 1e-5)
  }

  /// The factor and offset come from the parameters at each pass, so statistics changed after
  /// the plan was built (by training or recalibration) take effect.
  @Test func laterStatisticsTakeEffect() throws {
    let model = try Self.model(Self.architecture(relu: true))
    let convolutionOnly = try Self.model(Self.architecture(relu: true, endAtConvolution: true))
    _ = try model.forward(Self.input, mode: .inference)
    try Self.setStatistics(model, seed: 34)
    let norm = try #require(model.layers.compactMap { $0 as? BatchNorm }.first)

    let expected = Self.expected(
      convolution: try convolutionOnly.forward(Self.input, mode: .inference), norm: norm,
      relu: true)
    expectClose(
      try model.forward(Self.input, mode: .inference).scalars, expected, rtol: 1e-5, atol: 1e-5)
  }

  /// Training keeps batch normalization as its own layer: it needs batch statistics.
  @Test func trainingDoesNotFold() throws {
    let model = try Self.model(Self.architecture(relu: true))
    let plan = try model.plan(batch: 4, mode: .training)

    #expect(plan.steps.flatMap(\.primitives).map(\.kind).contains(dnnl_batch_normalization))
  }

  /// A convolution whose output has a second reader keeps a separate batch normalization.
  @Test func aSharedConvolutionOutputIsNotFolded() throws {
    var g = GraphBuilder(name: "shared")
    let x = g.input(height: 8, width: 8, channels: 3)
    let conv = g.conv2D(x, filters: 16, kernelSize: [3, 3], padding: .same)
    let norm = g.batchNormalization(conv)
    let out = g.concatenate([norm, conv])
    let model = try Self.model(g.architecture(output: out))

    #expect(model.layers.compactMap { $0 as? BatchNorm }.allSatisfy { !$0.isFoldedIntoConvolution })
    let plan = try model.plan(batch: 4, mode: .inference)
    #expect(plan.steps.flatMap(\.primitives).map(\.kind).contains(dnnl_batch_normalization))
  }

  @Test(.enabled(if: Precision.bf16.isAvailable, "needs AVX-512 BF16"))
  func bf16FoldsWithoutReferenceKernels() throws {
    let model = try Self.model(Self.architecture(relu: true), precision: .bf16)
    try Self.setStatistics(model, seed: 35)
    let plan = try model.plan(batch: 4, mode: .inference)
    let names = plan.steps.flatMap(\.primitives).map(\.implementation)

    #expect(names.allSatisfy { !$0.hasPrefix("ref") }, "\(names)")
    let single = try Self.model(Self.architecture(relu: true))
    try Self.setStatistics(single, seed: 35)
    expectClose(
      try model.forward(Self.input, mode: .inference).scalars,
      try single.forward(Self.input, mode: .inference).scalars, rtol: 0.03, atol: 0.05)
  }
}
