import CDNNL
import Foundation
import TensorCore
import TestSupport
import Testing

@testable import NeuralNet

/// Winograd training convolutions against the direct method on the same weights.
@Suite struct ConvolutionAlgorithmTests {
  /// Whether oneDNN can have Winograd kernels here: its fp32 ones need AVX-512.
  static let hasWinograd: Bool = {
    let core = dnnl_cpu_isa_avx512_core.rawValue
    return dnnl_get_effective_cpu_isa().rawValue & core == core
  }()
  static let noWinograd: Comment = "oneDNN's Winograd kernels need AVX-512"

  /// Three conv blocks: the first reads one channel (no Winograd), the second and third are
  /// 3×3 stride 1 on 16 and 32 channels (Winograd), then a 1×1 convolution (direct).
  static func architecture() -> Architecture {
    var g = GraphBuilder(name: "wino")
    let x = g.input(height: 10, width: 10, channels: 1)
    let a = g.convBlock(x, filters: 16, kernelSize: 3)
    let b = g.convBlock(a, filters: 32, kernelSize: 3)
    let c = g.convBlock(b, filters: 16, kernelSize: 3)
    let d = g.convBlock(g.maxPooling2D(c, poolSize: [2, 2]), filters: 16, kernelSize: 1)
    let out = g.dense(g.flatten(d), units: 10, activation: .softmax)
    return g.architecture(output: out)
  }

  static func model(_ algorithm: ConvolutionAlgorithm, precision: Precision = .fp32) throws
    -> Model
  {
    var generator = SeededGenerator(seed: 21)
    let model = try Model(
      architecture: architecture(), generator: &generator, precision: precision)
    model.convolutionAlgorithm = algorithm
    return model
  }

  static let batch = 12
  static let images: [Float] = {
    var generator = SeededGenerator(seed: 22)
    return uniformScalars(count: batch * 100, low: 0, high: 1, generator: &generator)
  }()
  static let labels = (0..<batch).map { Int32($0 % 10) }

  static func trainStep(_ model: Model) throws -> Float {
    var generator = SeededGenerator(seed: 23)
    return try images.withUnsafeBufferPointer {
      try model.trainStep(images: $0.baseAddress!, labels: labels, generator: &generator).loss
    }
  }

  /// The oneDNN implementations of each convolution layer's primitives in a plan.
  static func convolutionKernels(_ model: Model, mode: PlanMode) throws -> [String: [String]] {
    let plan = try model.plan(batch: batch, mode: mode)
    var kernels: [String: [String]] = [:]
    for (layer, step) in zip(model.layers, plan.steps) where layer is Conv2D {
      kernels[layer.name] = step.primitives.map(\.implementation)
    }
    return kernels
  }

  /// The reference model's 3x3 convolutions on 16k channels: all but the first (one channel).
  @Test func fiveOfTheReferenceConvolutionsAreWinogradShaped() throws {
    var generator = SeededGenerator(seed: 1)
    let model = try Model(named: "reference", generator: &generator)
    let shaped = model.layers.compactMap { $0 as? Conv2D }.filter(\.isWinogradShaped)

    #expect(shaped.map(\.name) == ["conv2d_1", "conv2d_2", "conv2d_5", "conv2d_7", "conv2d_8"])
  }

  @Test func bf16ComputesDirectlyWhateverTheSetting() {
    #expect(ConvolutionAlgorithm.winograd.effective(at: .bf16) == .direct)
    #expect(ConvolutionAlgorithm.winograd.effective(at: .fp32) == .winograd)
    #expect(ConvolutionAlgorithm.direct.effective(at: .fp32) == .direct)
  }

  @Test func modelsStartDirect() throws {
    var generator = SeededGenerator(seed: 1)
    #expect(try Model(named: "tiny", generator: &generator).convolutionAlgorithm == .direct)
  }

  @Test(.enabled(if: hasWinograd, noWinograd))
  func onlyEligibleTrainingConvolutionsRunWinograd() throws {
    let model = try Self.model(.winograd)
    let training = try Self.convolutionKernels(model, mode: .training)
    let inference = try Self.convolutionKernels(model, mode: .inference)
    let eligible = model.layers.compactMap { $0 as? Conv2D }.filter(\.isWinogradShaped)

    #expect(eligible.map(\.name) == ["conv2d_1", "conv2d_2"])
    for (name, kernels) in training {
      let winograd = kernels.filter { $0.contains("wino") }
      if eligible.contains(where: { $0.name == name }) {
        // Forward, backward data and backward weights.
        #expect(winograd.count == 3, "\(name): \(kernels)")
      } else {
        #expect(winograd.isEmpty, "\(name): \(kernels)")
      }
    }
    #expect(inference.values.joined().allSatisfy { !$0.contains("wino") }, "\(inference)")
    #expect(
      try Self.convolutionKernels(Self.model(.direct), mode: .training).values.joined()
        .allSatisfy { !$0.contains("wino") })
  }

  /// One training step from the same weights agrees with the direct method's.
  ///
  /// The loss within 1e-5 relative and every gradient within 1e-5 relative
  /// (`‖g_w - g_d‖ / ‖g_d‖`; measured 0.3-1.5e-6). Winograd's transforms round
  /// differently, so every gradient differs in its last bits.
  @Test(.enabled(if: hasWinograd, noWinograd))
  func winogradGradientsAgreeWithDirect() throws {
    let direct = try Self.model(.direct)
    let winograd = try Self.model(.winograd)
    let expectedLoss = try Self.trainStep(direct)
    let loss = try Self.trainStep(winograd)

    #expect(abs(loss - expectedLoss) <= 1e-5 * expectedLoss)
    var differing: [String] = []
    for (p, q) in zip(winograd.trainableParameters, direct.trainableParameters) {
      let actual = p.kerasTensor(of: p.gradient).scalars
      let expected = q.kerasTensor(of: q.gradient).scalars
      let error = PrecisionTests.relativeError(actual, expected)
      #expect(error < 1e-5, "\(p.name): relative error \(error)")
      if actual != expected { differing.append(p.name) }
    }
    #expect(differing.contains("conv2d_1/kernel"), "the Winograd kernels ran: \(differing)")
  }

  @Test(.enabled(if: hasWinograd, noWinograd))
  func inferenceIsTheSameWithEitherAlgorithm() throws {
    let x = Tensor(shape: [Self.batch, 10, 10, 1], scalars: Self.images)
    let expected = try Self.model(.direct).forward(x, mode: .inference)

    #expect(try Self.model(.winograd).forward(x, mode: .inference).scalars == expected.scalars)
  }

  /// Switching back to direct rebuilds the plans: the step is then bit-identical to a model
  /// that was always direct.
  @Test func settingTheAlgorithmRebuildsThePlans() throws {
    let model = try Self.model(.winograd)
    _ = try model.plan(batch: Self.batch, mode: .training)
    model.convolutionAlgorithm = .direct
    let loss = try Self.trainStep(model)
    let reference = try Self.model(.direct)
    let expectedLoss = try Self.trainStep(reference)

    #expect(loss == expectedLoss)
    for (p, q) in zip(model.trainableParameters, reference.trainableParameters) {
      #expect(
        p.kerasTensor(of: p.gradient).scalars == q.kerasTensor(of: q.gradient).scalars, "\(p.name)")
    }
  }

  @Test(.enabled(if: Precision.bf16.isAvailable, "needs AVX-512 BF16"))
  func bf16ModelsComputeDirectly() throws {
    let model = try Self.model(.winograd, precision: .bf16)
    let kernels = try Self.convolutionKernels(model, mode: .training)

    #expect(!kernels.isEmpty)
    #expect(kernels.values.joined().allSatisfy { !$0.contains("wino") }, "\(kernels)")
  }
}
