import CDNNL
import Foundation
import TensorCore
import TestSupport
import Testing

@testable import NeuralNet

/// bf16 models against fp32 models with the same weights.
///
/// bf16 keeps 8 significant bits, so each rounding of an activation, gradient or weight copy is
/// off by up to 2⁻⁹ relative; the tolerances below allow for a few such roundings per layer
/// through the small network used here.
@Suite struct PrecisionTests {
  /// Whether the bf16 tests can run: oneDNN must report AVX-512 BF16 instructions.
  static let hasBF16 = DNNLContext.supportsBF16
  static let noBF16: Comment = "oneDNN reports no AVX-512 BF16 instructions on this CPU"

  /// A small inception-like network without Dropout and without fan-out below the input (the
  /// input's gradient is never formed, so its two consumers need no sum of gradient parts).
  static func branchy(softmaxAsActivation: Bool = false) -> Architecture {
    var g = GraphBuilder(name: "branchy")
    let x = g.input(height: 12, width: 12, channels: 1)
    let a = g.convBlock(x, filters: 16, kernelSize: 3)
    let b = g.convBlock(x, filters: 16, kernelSize: 1)
    let p = g.maxPooling2D(g.concatenate([a, b]), poolSize: [2, 2])
    let c = g.convBlock(p, filters: 32, kernelSize: 3)
    let h = g.dense(g.flatten(c), units: 32, activation: .relu)
    let out =
      softmaxAsActivation
      ? g.activation(g.dense(h, units: 10, activation: .linear), .softmax)
      : g.dense(h, units: 10, activation: .softmax)
    return g.architecture(output: out)
  }

  static func images(batch: Int, seed: UInt64) -> [Float] {
    var generator = SeededGenerator(seed: seed)
    return uniformScalars(count: batch * 144, low: 0, high: 1, generator: &generator)
  }

  static func labels(batch: Int) -> [Int32] { (0..<batch).map { Int32($0 % 10) } }

  /// A model of `precision` whose weights come from seed 5.
  static func model(
    _ precision: Precision, softmaxAsActivation: Bool = false
  ) throws -> Model {
    var generator = SeededGenerator(seed: 5)
    return try Model(
      architecture: branchy(softmaxAsActivation: softmaxAsActivation), generator: &generator,
      precision: precision)
  }

  /// `‖a - b‖ / ‖b‖` over the whole arrays.
  static func relativeError(_ a: [Float], _ b: [Float]) -> Double {
    var difference: Double = 0
    var norm: Double = 0
    for (x, y) in zip(a, b) {
      difference += Double(x - y) * Double(x - y)
      norm += Double(y) * Double(y)
    }
    return (difference / max(norm, 1e-30)).squareRoot()
  }
}

// MARK: - Support checks

extension PrecisionTests {
  struct ISACase: Sendable, CustomTestStringConvertible {
    var isa: UInt32
    var name: String
    var hasBF16: Bool
    var testDescription: String { name }
  }

  @Test(arguments: [
    ISACase(isa: 0x7, name: "avx2", hasBF16: false),
    ISACase(isa: 0x407, name: "avx2_vnni", hasBF16: false),
    ISACase(isa: 0x27, name: "avx512_core", hasBF16: false),
    ISACase(isa: 0x67, name: "avx512_core_vnni", hasBF16: false),
    ISACase(isa: 0xe7, name: "avx512_core_bf16", hasBF16: true),
    ISACase(isa: 0x3e7, name: "avx512_core_amx", hasBF16: true),
  ])
  func bf16SupportFollowsTheISAThatOneDNNReports(_ c: ISACase) throws {
    let isa = dnnl_cpu_isa_t(rawValue: c.isa)
    #expect(DNNLContext.supportsBF16(isa: isa) == c.hasBF16)
    #expect(DNNLContext.isaName(isa) == c.name)
    try DNNLContext.checkSupport(of: .fp32, isa: isa)
    if c.hasBF16 { try DNNLContext.checkSupport(of: .bf16, isa: isa) }
  }

  @Test func bf16OnACPUWithoutBF16ThrowsANamedError() {
    let reason =
      "oneDNN reports CPU ISA avx512_core, expected avx512_core_bf16 or later "
      + "(AVX-512 BF16 instructions)"
    #expect(throws: NeuralNetError.unsupportedPrecision(.bf16, reason: reason)) {
      try DNNLContext.checkSupport(of: .bf16, isa: dnnl_cpu_isa_avx512_core)
    }
    #expect(
      NeuralNetError.unsupportedPrecision(.bf16, reason: reason).description
        == "bf16 precision is not available: \(reason)\nhint: use fp32")
  }

  @Test(.enabled(if: hasBF16, noBF16))
  func modelKeepsItsPrecisionAndComputesInIt() throws {
    let model = try Self.model(.bf16)
    #expect(model.precision == .bf16)
    #expect(model.context.precision == .bf16)
    let plan = try model.plan(batch: 4, mode: .training)
    #expect(plan.input.dataType == dnnl_f32)
    #expect(plan.output.dataType == dnnl_f32)
    #expect(plan.steps[1].output.dataType == dnnl_bf16)
    #expect(plan.gradients[1].dataType == dnnl_bf16)
    #expect(plan.gradients[plan.gradients.count - 1].dataType == dnnl_f32)
    #expect(try Self.model(.fp32).precision == .fp32)
  }

  @Test(arguments: Precision.allCases)
  func precisionRoundTripsThroughItsName(_ precision: Precision) throws {
    #expect(Precision(rawValue: precision.rawValue) == precision)
    let json = try JSONEncoder().encode([precision])
    #expect(try JSONDecoder().decode([Precision].self, from: json) == [precision])
  }
}

// MARK: - Agreement with fp32

extension PrecisionTests {
  /// Logits of the same weights agree in bf16 and fp32.
  ///
  /// Both in inference (moving statistics) and in training mode (batch statistics). Tolerance:
  /// `0.05 + 0.03·|z|` per logit; the logits are of order 1.
  @Test(.enabled(if: hasBF16, noBF16), arguments: [false, true])
  func bf16LogitsAgreeWithFP32(softmaxAsActivation: Bool) throws {
    let single = try Self.model(.fp32, softmaxAsActivation: softmaxAsActivation)
    let half = try Self.model(.bf16, softmaxAsActivation: softmaxAsActivation)
    let x = Tensor(shape: [6, 12, 12, 1], scalars: Self.images(batch: 6, seed: 8))
    for mode in [PlanMode.inference, .training] {
      let expected = try single.forward(x, mode: mode)
      let actual = try half.forward(x, mode: mode)
      expectClose(actual, expected, rtol: 0.03, atol: 0.05, "\(mode)")
      #expect(actual.scalars != expected.scalars, "bf16 rounding leaves a trace")
    }
  }

  /// Every trainable parameter's gradient from one training step, bf16 against fp32: relative
  /// error `‖g_bf16 - g_fp32‖ / ‖g_fp32‖` under 15% per parameter, and the loss within 1%.
  ///
  /// The error grows toward the input: about 0.5% for the last Dense layer, 3-5% in the middle
  /// and up to 9% for the first layers' batch-norm and kernel gradients at this batch of 8,
  /// where bf16 rounding also flips some ReLU signs and max-pooling arg-maxes (ties are far more
  /// common in 8 significant bits).
  @Test(.enabled(if: hasBF16, noBF16))
  func bf16GradientsAgreeWithFP32() throws {
    let single = try Self.model(.fp32)
    let half = try Self.model(.bf16)
    let images = Self.images(batch: 8, seed: 9)
    let labels = Self.labels(batch: 8)
    var generator = SeededGenerator(seed: 1)
    let expected = try images.withUnsafeBufferPointer {
      try single.trainStep(images: $0.baseAddress!, labels: labels, generator: &generator)
    }
    let actual = try images.withUnsafeBufferPointer {
      try half.trainStep(images: $0.baseAddress!, labels: labels, generator: &generator)
    }
    #expect(abs(actual.loss - expected.loss) <= 0.01 * expected.loss)
    for (p, q) in zip(half.trainableParameters, single.trainableParameters) {
      let error = Self.relativeError(
        p.kerasTensor(of: p.gradient).scalars, q.kerasTensor(of: q.gradient).scalars)
      #expect(error < 0.15, "\(p.name): relative error \(error)")
    }
  }

  /// Plain gradient descent in bf16 on one fixed batch: 15 steps at rate 0.05 bring the loss
  /// below half its starting value (fp32 does the same within a few percent).
  @Test(.enabled(if: hasBF16, noBF16))
  func bf16TrainingStepsReduceTheLoss() throws {
    let model = try Self.model(.bf16)
    let images = Self.images(batch: 10, seed: 10)
    let labels = Self.labels(batch: 10)
    var generator = SeededGenerator(seed: 2)
    var losses: [Float] = []
    for _ in 0..<15 {
      let result = try images.withUnsafeBufferPointer {
        try model.trainStep(images: $0.baseAddress!, labels: labels, generator: &generator)
      }
      losses.append(result.loss)
      for p in model.trainableParameters {
        for i in 0..<p.storageCount { p.value[i] -= 0.05 * p.gradient[i] }
      }
    }
    #expect(losses.allSatisfy { $0.isFinite })
    #expect(losses[14] < 0.5 * losses[0], "losses \(losses)")
  }

  /// A bf16 model used only for inference: probabilities sum to 1 and match fp32 within 0.02.
  @Test(.enabled(if: hasBF16, noBF16))
  func bf16InferenceOnlyModelPredictsLikeFP32() throws {
    let single = try Self.model(.fp32)
    let half = try Self.model(.bf16)
    let images = Self.images(batch: 5, seed: 11)
    let expected = try images.withUnsafeBufferPointer {
      try single.predict(images: $0.baseAddress!, count: 5)
    }
    let actual = try images.withUnsafeBufferPointer {
      try half.predict(images: $0.baseAddress!, count: 5)
    }
    for n in 0..<5 {
      let row = actual.scalars[(n * 10)..<(n * 10 + 10)]
      #expect(abs(row.reduce(0, +) - 1) < 1e-5)
    }
    expectClose(actual, expected, rtol: 0, atol: 0.02)
  }
}
