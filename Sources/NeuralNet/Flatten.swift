import TensorCore

/// Flattens `[N, H, W, C]` to `[N, H·W·C]` in Keras (NHWC) order (Keras `Flatten`).
///
/// Moves no data: the output keeps the input's memory and layout, and the next `Dense` reads it
/// as 4-D with its weights ordered to match Keras's flattened order.
final class Flatten: Layer {
  let name: String
  let outputShape: NodeShape
  var parameters: [Parameter] { [] }

  init(name: String, input: NodeShape) {
    self.name = name
    outputShape = NodeShape(keras: [input.keras.reduce(1, *)], physical: input.physical)
  }

  func makeStep(
    inputs: [DNNLBuffer], batch: Int, mode: PlanMode, needsInputGradient: Bool,
    context: DNNLContext
  ) throws(NeuralNetError) -> LayerStep {
    IdentityStep(input: inputs[0])
  }
}
