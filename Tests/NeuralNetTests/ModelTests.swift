import Foundation
import TensorCore
import TestSupport
import Testing

@testable import NeuralNet

@Suite struct ModelTests {
  @Test func referenceModelHasTheKerasParameterCounts() throws {
    var generator = SeededGenerator(seed: 1)
    let model = try Model(named: "reference", generator: &generator)
    let summary = model.summary()
    #expect(summary.totalParams == 1_347_306)
    #expect(summary.trainableParams == 1_345_898)
    #expect(summary.nonTrainableParams == 1_408)
    #expect(model.trainableParameters.count == 10 + 2 * 10 + 4)
    #expect(model.parameters.first?.name == "conv2d/kernel")
    #expect(model.parameters.last?.name == "dense_1/bias")
  }

  /// oneDNN falls back to reference kernels (orders of magnitude slower) when handed layouts or
  /// data types its fast kernels do not take; the reference model's training pass must avoid
  /// them.
  @Test func referenceTrainingPassUsesNoReferenceKernels() throws {
    try expectNoReferenceKernels(.fp32, mode: .training, atLeast: 60)
  }

  /// The same in bf16, for training and inference.
  @Test(
    .enabled(
      if: DNNLContext.supportsBF16, "oneDNN reports no AVX-512 BF16 instructions on this CPU"),
    arguments: [PlanMode.training, .inference])
  func referenceBF16PassesUseNoReferenceKernels(mode: PlanMode) throws {
    try expectNoReferenceKernels(.bf16, mode: mode, atLeast: mode == .training ? 60 : 25)
  }

  private func expectNoReferenceKernels(
    _ precision: Precision, mode: PlanMode, atLeast count: Int
  ) throws {
    var generator = SeededGenerator(seed: 1)
    let model = try Model(named: "reference", generator: &generator, precision: precision)
    let implementations = try model.plan(batch: 16, mode: mode).implementations
    #expect(implementations.count > count)
    #expect(implementations.filter { $0.hasPrefix("ref") } == [])
  }

  /// Checks d(loss)/dw from `trainStep` against central differences of the loss it reports.
  ///
  /// The loss is cross-entropy of the fused softmax plus L2; the model passes convolutions,
  /// batch norm, pooling, dropout with a fixed mask, a branch and concatenation. Tolerance
  /// 5e-4 + 3e-2 · |numeric| with h = 1e-3: the loss is a Float, and a larger step crosses ReLU
  /// and max-pool kinks.
  @Test func trainStepGradientsMatchFiniteDifferencesOfTheLoss() throws {
    var g = GraphBuilder(name: "check")
    let x = g.input(height: 6, width: 6, channels: 1)
    let a = g.convBlock(x, filters: 4, kernelSize: 3)
    let p = g.maxPooling2D(a, poolSize: [2, 2])
    let d = g.dropout(p, rate: 0.3)
    let b = g.conv2D(d, filters: 3, kernelSize: [1, 1], padding: .same, kernelL2: 0.01)
    let out = g.dense(g.flatten(g.concatenate([d, b])), units: 5, activation: .softmax)
    var generator = SeededGenerator(seed: 3)
    let model = try Model(architecture: g.architecture(output: out), generator: &generator)
    let images = uniformScalars(count: 3 * 36, generator: &generator)
    let labels: [Int32] = [0, 4, 2]

    func loss() throws -> Double {
      var dropout = SeededGenerator(seed: 77)
      return Double(
        try images.withUnsafeBufferPointer {
          try model.trainStep(images: $0.baseAddress!, labels: labels, generator: &dropout).loss
        })
    }
    _ = try loss()
    let analytic = model.trainableParameters.map { $0.kerasTensor(of: $0.gradient).scalars }
    for (parameter, gradient) in zip(model.trainableParameters, analytic) {
      var w = parameter.kerasValue.scalars
      let indices = Array(stride(from: 0, to: w.count, by: max(1, w.count / 6)))
      let numeric = centralDifferences(at: &w, indices: indices, step: 1e-3) { values in
        parameter.setKerasValue(Tensor(shape: parameter.shape, scalars: values))
        return (try? loss()) ?? .nan
      }
      parameter.setKerasValue(Tensor(shape: parameter.shape, scalars: w))
      expectClose(
        indices.map { gradient[$0] }, numeric.map { Float($0) }, rtol: 3e-2, atol: 5e-4,
        Comment(rawValue: parameter.name))
    }
  }

  @Test func predictReturnsRowsOfProbabilities() throws {
    var generator = SeededGenerator(seed: 2)
    let model = try Model(named: "tiny", generator: &generator)
    let images = uniformScalars(count: 3 * 784, low: 0, high: 1, generator: &generator)
    let p = try images.withUnsafeBufferPointer {
      try model.predict(images: $0.baseAddress!, count: 3)
    }
    #expect(p.shape == [3, 10])
    for row in 0..<3 {
      let values = p.scalars[(row * 10)..<(row * 10 + 10)]
      #expect(abs(values.reduce(0, +) - 1) < 1e-5)
      #expect(values.allSatisfy { $0 > 0 })
    }
  }

  /// After recalibrating on one batch, inference normalizes with exactly that batch's statistics,
  /// so it equals the training-mode pass on the same batch (this model has no dropout).
  @Test func recalibratedInferenceMatchesTheTrainingPassOnThatBatch() throws {
    var g = GraphBuilder(name: "calibration")
    let x = g.input(height: 5, width: 5, channels: 2)
    let y = g.convBlock(g.convBlock(x, filters: 4, kernelSize: 3), filters: 3, kernelSize: 3)
    let out = g.dense(g.flatten(y), units: 4, activation: .softmax)
    var generator = SeededGenerator(seed: 4)
    let model = try Model(architecture: g.architecture(output: out), generator: &generator)
    let images = uniformScalars(count: 8 * 50, generator: &generator)

    try images.withUnsafeBufferPointer {
      try model.recalibrateBatchNorm(images: $0.baseAddress!, count: 8, batchSize: 8)
    }
    let logits = try model.forward(Tensor(shape: [8, 5, 5, 2], scalars: images), mode: .training)
    var expected = [Float](repeating: 0, count: 32)
    Losses.softmax(logits.scalars, rows: 8, classes: 4, into: &expected)
    let predicted = try images.withUnsafeBufferPointer {
      try model.predict(images: $0.baseAddress!, count: 8)
    }
    expectClose(predicted.scalars, expected, rtol: 1e-4, atol: 1e-6)

    // The first layer is linear, so its mean over two halves equals the mean over the whole.
    let mean = try #require(model.parameters.first { $0.name == "batch_normalization/moving_mean" })
    let whole = mean.kerasValue.scalars
    try images.withUnsafeBufferPointer {
      try model.recalibrateBatchNorm(images: $0.baseAddress!, count: 8, batchSize: 4)
    }
    expectClose(mean.kerasValue.scalars, whole, rtol: 1e-5, atol: 1e-6)
  }

  @Test func evaluateAveragesOverUnevenBatches() throws {
    var generator = SeededGenerator(seed: 5)
    let model = try Model(named: "tiny", generator: &generator)
    let images = uniformScalars(count: 7 * 784, low: 0, high: 1, generator: &generator)
    let labels: [Int32] = [0, 1, 2, 3, 4, 5, 6]
    let (whole, split) = try images.withUnsafeBufferPointer { x in
      try labels.withUnsafeBufferPointer { y in
        (
          try model.evaluate(images: x.baseAddress!, labels: y.baseAddress!, count: 7),
          try model.evaluate(
            images: x.baseAddress!, labels: y.baseAddress!, count: 7, batchSize: 3)
        )
      }
    }
    #expect(whole.count == 7)
    #expect(whole.correct == split.correct)
    #expect(abs(whole.loss - split.loss) < 1e-5)
    #expect(whole.loss > 1 && whole.loss < 5)
  }

  @Test func trainingStepsReduceTheLossOnAFixedBatch() throws {
    var generator = SeededGenerator(seed: 6)
    let model = try Model(named: "tiny", generator: &generator)
    let images = uniformScalars(count: 10 * 784, low: 0, high: 1, generator: &generator)
    let labels = (0..<10).map { Int32($0) }
    var losses: [Float] = []
    for _ in 0..<15 {
      let (loss, _) = try images.withUnsafeBufferPointer {
        try model.trainStep(images: $0.baseAddress!, labels: labels, generator: &generator)
      }
      losses.append(loss)
      // Plain gradient descent, learning rate 0.05.
      for p in model.trainableParameters {
        for i in 0..<p.storageCount { p.value[i] -= 0.05 * p.gradient[i] }
      }
    }
    #expect(losses[14] < 0.5 * losses[0])
  }
}

extension ModelTests {
  /// Optimizers update every storage element, so padding in blocked weight layouts must hold a
  /// zero value and a zero gradient.
  @Test func paddingInWeightStorageStaysZeroAfterATrainingStep() throws {
    var generator = SeededGenerator(seed: 8)
    let model = try Model(named: "tiny", generator: &generator)
    let images = uniformScalars(count: 4 * 784, low: 0, high: 1, generator: &generator)
    _ = try images.withUnsafeBufferPointer {
      try model.trainStep(images: $0.baseAddress!, labels: [1, 2, 3, 4], generator: &generator)
    }
    var paddedElements = 0
    for p in model.parameters {
      guard let offsets = p.storageOffsets else { continue }
      let used = Set(offsets.map(Int.init))
      for i in 0..<p.storageCount where !used.contains(i) {
        paddedElements += 1
        #expect(p.value[i] == 0, "\(p.name) value at padding \(i)")
        #expect(p.gradient[i] == 0, "\(p.name) gradient at padding \(i)")
      }
    }
    #expect(paddedElements > 0)
  }
}
