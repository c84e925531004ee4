import TensorCore
import TestSupport
import Testing

@testable import NeuralNet

/// A model of `Input -> (layers under test)` with tensor-level forward, backward and a
/// finite-difference check of every gradient.
struct LayerHarness {
  let model: Model
  let inputShape: [Int]

  /// Builds `input -> build(input)`; parameters are initialized from `seed`.
  init(
    input: [Int], seed: UInt64 = 1,
    _ build: (inout GraphBuilder, GraphBuilder.Node) -> GraphBuilder.Node
  ) throws {
    var graph = GraphBuilder(name: "harness")
    let x = graph.input(height: input[0], width: input[1], channels: input[2])
    let y = build(&graph, x)
    var generator = SeededGenerator(seed: seed)
    model = try Model(
      architecture: graph.architecture(output: y), generator: &generator,
      requiresSoftmaxOutput: false)
    inputShape = input
  }

  func parameter(_ suffix: String) -> Parameter? {
    model.parameters.first { $0.name.hasSuffix(suffix) }
  }

  func forward(_ x: Tensor, mode: PlanMode = .inference) throws -> Tensor {
    try model.forward(x, mode: mode)
  }

  /// Checks d(Σ r·y)/dx and d(Σ r·y)/dw for every trainable parameter against central
  /// differences (evaluated in Double), on a sample of coordinates.
  /// - Parameters:
  ///   - batch: the batch size.
  ///   - step: the finite-difference step `h`.
  ///   - rtol: relative part of the pass test `|analytic - numeric| <= atol + rtol · |numeric|`.
  ///   - atol: absolute part of that test.
  ///   - samples: coordinates checked per tensor.
  ///   - seed: the seed of the inputs, the upstream gradient and the sampled coordinates.
  ///   - sourceLocation: where failures are reported.
  /// - Throws: when a plan cannot be built.
  func checkGradients(
    batch: Int, step: Float = 1e-2, rtol: Float = 2e-2, atol: Float = 2e-3, samples: Int = 12,
    seed: UInt64 = 5, sourceLocation: SourceLocation = #_sourceLocation
  ) throws {
    var generator = SeededGenerator(seed: seed)
    let shape = [batch] + inputShape
    var x = uniformScalars(count: shape.reduce(1, *), generator: &generator)
    let y = try model.forward(Tensor(shape: shape, scalars: x), mode: .training)
    let r = Tensor(shape: y.shape, scalars: uniformScalars(count: y.count, generator: &generator))
    let inputGradient = try model.backward(outputGradient: r)
    let parameters = model.trainableParameters
    let analytic = parameters.map { $0.kerasTensor(of: $0.gradient) }

    func objective(_ input: [Float]) -> Double {
      guard let out = try? model.forward(Tensor(shape: shape, scalars: input), mode: .training)
      else { return .nan }
      var sum: Double = 0
      for k in 0..<out.count { sum += Double(out.scalars[k]) * Double(r.scalars[k]) }
      return sum
    }

    let inputIndices = pick(samples, of: x.count, &generator)
    let numericInput = centralDifferences(at: &x, indices: inputIndices, step: step, objective)
    expectClose(
      inputIndices.map { inputGradient.scalars[$0] }, numericInput.map { Float($0) }, rtol: rtol,
      atol: atol, "input gradient", sourceLocation: sourceLocation)

    for (parameter, gradient) in zip(parameters, analytic) {
      var w = parameter.kerasValue.scalars
      let indices = pick(samples, of: w.count, &generator)
      let numeric = centralDifferences(at: &w, indices: indices, step: step) { values in
        parameter.setKerasValue(Tensor(shape: parameter.shape, scalars: values))
        return objective(x)
      }
      parameter.setKerasValue(Tensor(shape: parameter.shape, scalars: w))
      expectClose(
        indices.map { gradient.scalars[$0] }, numeric.map { Float($0) }, rtol: rtol, atol: atol,
        Comment(rawValue: parameter.name), sourceLocation: sourceLocation)
    }
  }

  private func pick(_ count: Int, of total: Int, _ generator: inout SeededGenerator) -> [Int] {
    if total <= count { return Array(0..<total) }
    return (0..<count).map { _ in Int(generator.next() % UInt64(total)) }
  }
}
