import TensorCore

/// The model input (Keras `InputLayer`): a `[N, H, W, C]` buffer in plain NHWC.
final class InputLayer: Layer {
  let name: String
  let outputShape: NodeShape
  var parameters: [Parameter] { [] }

  init(name: String, shape: NodeShape) {
    self.name = name
    outputShape = shape
  }

  func makeStep(
    inputs: [DNNLBuffer], batch: Int, mode: PlanMode, needsInputGradient: Bool,
    context: DNNLContext
  ) throws(NeuralNetError) -> LayerStep {
    LayerStep(output: DNNLBuffer(MemoryDesc.keras(outputShape.dims(batch: batch)), context))
  }
}
