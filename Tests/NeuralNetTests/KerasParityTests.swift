import Foundation
import TensorCore
import TestSupport
import Testing

@testable import NeuralNet

/// Compares the engine with Keras 3 on the fixtures in `Fixtures/keras/`, within the tolerances
/// the fixtures state: outputs `|Δ| <= forward_abs`, gradients
/// `|Δ| <= gradient_abs + gradient_rel · |keras|`.
@Suite(.enabled(if: KerasFixture.isPresent)) struct KerasParityTests {
  /// Runs one layer case: sets the weights, runs the training pass (or inference), compares the
  /// output and, unless `checksGradients` is false, every gradient.
  private func run(
    _ c: LayerFixture.Case, tolerance: FixtureTolerance, mode: PlanMode = .training,
    checksGradients: Bool = true, inputName: String = "x",
    _ build: (inout GraphBuilder, GraphBuilder.Node) -> GraphBuilder.Node
  ) throws -> LayerHarness {
    let input = try #require(c.inputs[inputName]).tensor
    let imageShape =
      input.shape.count == 4 ? Array(input.shape.dropFirst()) : [1, 1, input.shape[1]]
    let harness = try LayerHarness(input: imageShape, build)
    for (name, weight) in c.weights {
      try #require(harness.parameter("/\(name)"), "weight \(name)").setKerasValue(weight.tensor)
    }
    let x = Tensor(shape: [input.shape[0]] + imageShape, scalars: input.scalars)
    let y = try harness.model.forward(x, mode: mode)
    expectClose(
      y.scalars, c.output.values, rtol: 0, atol: tolerance.forward_abs, "\(c.name) output")
    guard checksGradients else { return harness }
    let dx = try harness.model.backward(
      outputGradient: Tensor(shape: y.shape, scalars: c.upstream.values))
    for (name, expected) in c.gradients {
      let actual: [Float]
      if name == inputName {
        actual = dx.scalars
      } else {
        let p = try #require(harness.parameter("/\(name)"), "gradient \(name)")
        actual = p.kerasTensor(of: p.gradient).scalars
      }
      expectClose(
        actual, expected.values, rtol: tolerance.gradient_rel, atol: tolerance.gradient_abs,
        "\(c.name) d/d\(name)")
    }
    return harness
  }

  @Test func conv2DMatchesKeras() throws {
    let fixture: LayerFixture = try KerasFixture.load("conv2d.json")
    #expect(fixture.cases.count == 6)
    for c in fixture.cases {
      let config = c.config
      _ = try run(c, tolerance: fixture.tolerance) { g, x in
        g.conv2D(
          x, filters: config["filters"]?.int ?? 0, kernelSize: config["kernel_size"]?.ints ?? [],
          strides: config["strides"]?.ints ?? [],
          padding: Padding(rawValue: config["padding"]?.string ?? "") ?? .valid,
          useBias: config["use_bias"]?.bool ?? true)
      }
    }
  }

  @Test func batchNormalizationMatchesKerasInTrainingAndInference() throws {
    let fixture: LayerFixture = try KerasFixture.load("batch_normalization.json")
    let training = try #require(fixture.cases.first { $0.name == "training" })
    let harness = try run(training, tolerance: fixture.tolerance) { g, x in
      g.batchNormalization(x)
    }
    // The single training forward of `run` moved the moving statistics once.
    for (name, expected) in try #require(training.updated) {
      let p = try #require(harness.parameter("/\(name)"))
      expectClose(p.kerasValue.scalars, expected.values, rtol: 0, atol: 1e-6, "updated \(name)")
    }
    // Inference normalizes with the moving statistics; its gradients (frozen statistics) are not
    // part of training, so only the output is compared.
    let inference = try #require(fixture.cases.first { $0.name == "inference" })
    _ = try run(inference, tolerance: fixture.tolerance, mode: .inference, checksGradients: false) {
      g, x in g.batchNormalization(x)
    }
  }

  @Test func reluMatchesKeras() throws {
    let fixture: LayerFixture = try KerasFixture.load("relu.json")
    for c in fixture.cases {
      _ = try run(c, tolerance: fixture.tolerance) { g, x in g.activation(x, .relu) }
    }
  }

  @Test func maxPooling2DMatchesKeras() throws {
    let fixture: LayerFixture = try KerasFixture.load("max_pooling2d.json")
    #expect(fixture.cases.count == 4)
    for c in fixture.cases {
      let config = c.config
      _ = try run(c, tolerance: fixture.tolerance) { g, x in
        g.maxPooling2D(
          x, poolSize: config["pool_size"]?.ints ?? [], strides: config["strides"]?.ints,
          padding: Padding(rawValue: config["padding"]?.string ?? "") ?? .valid)
      }
    }
  }

  @Test func flattenAndDenseMatchKeras() throws {
    let fixture: LayerFixture = try KerasFixture.load("dense.json")
    #expect(fixture.cases.count == 2)
    for c in fixture.cases {
      let units = c.config["units"]?.int ?? 0
      let activation = ActivationKind(rawValue: c.config["activation"]?.string ?? "") ?? .linear
      _ = try run(c, tolerance: fixture.tolerance) { g, x in
        g.dense(g.flatten(x), units: units, activation: activation)
      }
    }
  }

  /// The two inputs enter as one `[N, H, W, 5]` tensor split by two selecting 1x1 convolutions
  /// (exact), so the engine's concatenation sees two separate producers.
  @Test func concatenateMatchesKeras() throws {
    let fixture: LayerFixture = try KerasFixture.load("concatenate.json")
    let c = try #require(fixture.cases.first)
    let x0 = try #require(c.inputs["x0"]).tensor
    let x1 = try #require(c.inputs["x1"]).tensor
    let pixels = x0.count / 2
    let joined = interleave(x0.scalars, x1.scalars, pixels: pixels)
    let harness = try LayerHarness(input: [2, 2, 5]) { g, x in
      let a = g.conv2D(x, filters: 2, kernelSize: [1, 1], useBias: false)
      let b = g.conv2D(x, filters: 3, kernelSize: [1, 1], useBias: false)
      return g.concatenate([a, b])
    }
    var selectA = [Float](repeating: 0, count: 10)
    var selectB = [Float](repeating: 0, count: 15)
    for i in 0..<2 { selectA[i * 2 + i] = 1 }
    for i in 0..<3 { selectB[(i + 2) * 3 + i] = 1 }
    try #require(harness.parameter("conv2d/kernel")).setKerasValue(
      Tensor(shape: [1, 1, 5, 2], scalars: selectA))
    try #require(harness.parameter("conv2d_1/kernel")).setKerasValue(
      Tensor(shape: [1, 1, 5, 3], scalars: selectB))
    let y = try harness.model.forward(
      Tensor(shape: [2, 2, 2, 5], scalars: joined), mode: .training)
    expectClose(y.scalars, c.output.values, rtol: 0, atol: fixture.tolerance.forward_abs)
    let dx = try harness.model.backward(outputGradient: c.upstream.tensor)
    let expected = interleave(
      try #require(c.gradients["x0"]).values, try #require(c.gradients["x1"]).values,
      pixels: pixels)
    expectClose(
      dx.scalars, expected, rtol: fixture.tolerance.gradient_rel,
      atol: fixture.tolerance.gradient_abs)
  }

  /// Joins per-pixel channel groups of 2 and 3 into groups of 5.
  private func interleave(_ a: [Float], _ b: [Float], pixels: Int) -> [Float] {
    var joined: [Float] = []
    for p in 0..<pixels {
      joined.append(contentsOf: a[(p * 2)..<(p * 2 + 2)])
      joined.append(contentsOf: b[(p * 3)..<(p * 3 + 3)])
    }
    return joined
  }

  @Test func softmaxAndCrossEntropyMatchKeras() throws {
    let fixture: SoftmaxFixture = try KerasFixture.load("softmax.json")
    let c = try #require(fixture.cases.first)
    let logits = try #require(c.inputs["x"])
    let rows = logits.shape[0]
    let classes = logits.shape[1]
    var probabilities = [Float](repeating: 0, count: logits.values.count)
    var gradient = [Float](repeating: 0, count: logits.values.count)
    let loss = logits.values.withUnsafeBufferPointer { z in
      c.cross_entropy.labels.withUnsafeBufferPointer { labels in
        probabilities.withUnsafeMutableBufferPointer { p in
          Losses.softmax(z.baseAddress!, rows: rows, classes: classes, into: p.baseAddress!)
        }
        return gradient.withUnsafeMutableBufferPointer { g in
          Losses.crossEntropy(
            logits: z.baseAddress!, labels: labels.baseAddress!, rows: rows, classes: classes,
            gradient: g.baseAddress!, scale: 1 / Float(rows)
          ).sum / Double(rows)
        }
      }
    }
    let tolerance = fixture.tolerance
    expectClose(probabilities, c.output.values, rtol: 0, atol: tolerance.forward_abs)
    #expect(abs(Float(loss) - c.cross_entropy.loss) <= tolerance.forward_abs)
    expectClose(
      gradient, c.cross_entropy.gradient_logits.values, rtol: tolerance.gradient_rel,
      atol: tolerance.gradient_abs)
  }
}

// MARK: - Model

extension KerasParityTests {
  private func fixtureModel() throws -> (Model, ModelFixture) {
    let fixture: ModelFixture = try KerasFixture.load("model.json")
    let layers = try fixture.architecture.map { layer in
      LayerDescription(name: layer.name, kind: try kind(of: layer), inputs: layer.inputs)
    }
    var generator = SeededGenerator(seed: 0)
    let model = try Model(
      architecture: Architecture(name: "keras-tiny", layers: layers), generator: &generator)
    for parameter in model.parameters {
      let weight = try #require(fixture.weights[parameter.name], "weight \(parameter.name)")
      parameter.setKerasValue(weight.tensor)
    }
    #expect(model.parameters.count == fixture.weights.count)
    return (model, fixture)
  }

  private func kind(of layer: ModelFixture.Layer) throws -> LayerKind {
    let c = layer.config
    let padding = Padding(rawValue: c["padding"]?.string ?? "valid") ?? .valid
    switch layer.type {
    case "InputLayer":
      let shape = try #require(c["batch_shape"]?.ints)
      return .input(height: shape[1], width: shape[2], channels: shape[3])
    case "Conv2D":
      return .conv2D(
        filters: c["filters"]?.int ?? 0, kernelSize: c["kernel_size"]?.ints ?? [],
        strides: c["strides"]?.ints ?? [], padding: padding,
        useBias: c["use_bias"]?.bool ?? true, kernelL2: c["kernel_l2"]?.float ?? 0)
    case "BatchNormalization":
      return .batchNormalization(
        momentum: c["momentum"]?.float ?? 0.99, epsilon: c["epsilon"]?.float ?? 1e-3)
    case "Activation":
      return .activation(ActivationKind(rawValue: c["activation"]?.string ?? "") ?? .linear)
    case "MaxPooling2D":
      return .maxPooling2D(
        poolSize: c["pool_size"]?.ints ?? [], strides: c["strides"]?.ints ?? [],
        padding: padding)
    case "Concatenate":
      return .concatenate
    case "Flatten":
      return .flatten
    case "Dense":
      return .dense(
        units: c["units"]?.int ?? 0,
        activation: ActivationKind(rawValue: c["activation"]?.string ?? "") ?? .linear,
        useBias: c["use_bias"]?.bool ?? true, kernelL2: c["kernel_l2"]?.float ?? 0)
    default:
      Issue.record("unknown layer type \(layer.type)")
      return .flatten
    }
  }

  @Test func modelInferenceMatchesKeras() throws {
    let (model, fixture) = try fixtureModel()
    let images = fixture.inputs.images.values
    let labels = fixture.inputs.labels
    let probabilities = try images.withUnsafeBufferPointer {
      try model.predict(images: $0.baseAddress!, count: labels.count)
    }
    let tolerance = fixture.tolerance
    expectClose(
      probabilities.scalars, fixture.inference.probabilities.values, rtol: 0,
      atol: tolerance.forward_abs)
    let evaluation = try images.withUnsafeBufferPointer { x in
      try labels.withUnsafeBufferPointer { y in
        try model.evaluate(images: x.baseAddress!, labels: y.baseAddress!, count: labels.count)
      }
    }
    #expect(abs(model.l2Loss - fixture.inference.l2_penalty) <= 1e-7)
    #expect(abs(evaluation.loss - fixture.inference.loss) <= tolerance.loss_abs ?? 1e-5)
  }

  @Test func modelTrainingStepMatchesKeras() throws {
    let (model, fixture) = try fixtureModel()
    var generator = SeededGenerator(seed: 9)
    let (loss, _) = try fixture.inputs.images.values.withUnsafeBufferPointer {
      try model.trainStep(
        images: $0.baseAddress!, labels: fixture.inputs.labels, generator: &generator)
    }
    let tolerance = fixture.tolerance
    #expect(abs(loss - fixture.training.loss) <= tolerance.loss_abs ?? 1e-5)
    let gradients = try #require(fixture.training.gradients)
    #expect(gradients.count == model.trainableParameters.count)
    for parameter in model.trainableParameters {
      let expected = try #require(gradients[parameter.name], "gradient \(parameter.name)")
      expectClose(
        parameter.kerasTensor(of: parameter.gradient).scalars, expected.values,
        rtol: tolerance.gradient_rel, atol: tolerance.gradient_abs,
        Comment(rawValue: parameter.name))
    }
    for (name, expected) in try #require(fixture.training.updated_moving_statistics) {
      let parameter = try #require(model.parameters.first { $0.name == name })
      expectClose(
        parameter.kerasValue.scalars, expected.values, rtol: 0,
        atol: tolerance.updated_weight_abs ?? 1e-6, Comment(rawValue: name))
    }
  }
}
