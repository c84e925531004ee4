import CDNNL
import TensorCore

/// Inverted dropout (Keras `Dropout`).
///
/// In training, `y = x · m / (1 - rate)` with `m ~ Bernoulli(1 - rate)` per element; in
/// inference, `y = x`. Any shape.
///
/// The mask is drawn in storage order over the whole buffer, so it works on any oneDNN layout;
/// padding elements are zero in the input and stay zero.
///
/// Note: each 64-bit draw of the generator gives two 24-bit uniforms, which halves the cost of
/// the mask; the keep test `u < (1 - rate) · 2²⁴` is exact for rates that are multiples of 2⁻²⁴.
final class Dropout: Layer {
  let name: String
  let outputShape: NodeShape
  let rate: Float
  var parameters: [Parameter] { [] }

  init(name: String, input: NodeShape, rate: Float) throws(NeuralNetError) {
    guard rate >= 0, rate < 1 else {
      throw .invalidArchitecture(layer: name, reason: "Dropout rate must be in [0, 1), got \(rate)")
    }
    self.name = name
    outputShape = input
    self.rate = rate
  }

  func makeStep(
    inputs: [DNNLBuffer], batch: Int, mode: PlanMode, needsInputGradient: Bool,
    context: DNNLContext
  ) throws(NeuralNetError) -> LayerStep {
    if mode == .inference || rate == 0 { return IdentityStep(input: inputs[0]) }
    return DropoutStep(input: inputs[0], rate: rate, context: context)
  }
}

/// ``Dropout`` in training mode for one batch size.
private final class DropoutStep: LayerStep {
  let input: DNNLBuffer
  let mask: UnsafeMutablePointer<Float>
  let rate: Float

  init(input: DNNLBuffer, rate: Float, context: DNNLContext) {
    self.input = input
    self.rate = rate
    mask = .allocate(capacity: max(input.floatCount, 1))
    mask.initialize(repeating: 1, count: max(input.floatCount, 1))
    super.init(output: DNNLBuffer(input.desc, context))
  }

  deinit {
    mask.deallocate()
  }

  override func forward(_ state: inout RunState) {
    let count = input.floatCount
    let x = input.data
    let y = output.data
    guard state.isDropoutActive else {
      y.update(from: x, count: count)
      mask.update(repeating: 1, count: count)
      return
    }
    let threshold = UInt64((1 - Double(rate)) * 16_777_216)
    let keep = 1 / (1 - rate)
    var i = 0
    while i < count {
      let bits = state.generator.next()
      mask[i] = (bits >> 40) < threshold ? keep : 0
      if i + 1 < count { mask[i + 1] = ((bits >> 16) & 0xFF_FFFF) < threshold ? keep : 0 }
      i += 2
    }
    for j in 0..<count { y[j] = x[j] * mask[j] }
  }

  override func backward(outputGradient: DNNLBuffer, inputGradients: [DNNLBuffer?]) {
    guard let target = inputGradients[0] else { return }
    let dy = outputGradient.data
    let dx = target.data
    for j in 0..<input.floatCount { dx[j] = dy[j] * mask[j] }
  }
}
