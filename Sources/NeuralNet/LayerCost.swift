/// The floating-point operations of one layer for a batch, counting a multiply-add as two.
///
/// Only convolutions and dense layers are counted; the other layers do a few operations per
/// element and are limited by memory, not arithmetic.
///
/// Each of forward, backward data and backward weights costs:
///
///     Conv2D  2 · N · OH · OW · O · KH · KW · I
///     Dense   2 · N · I · O
///
/// Backward data is zero for a layer that reads the model's input, whose gradient a training
/// step does not compute.
public struct LayerCost: Sendable, Equatable {
  /// The Keras layer name, such as `conv2d_3`.
  public var name: String
  /// The Keras class name, such as `Conv2D`.
  public var kind: String
  /// The forward pass.
  public var forwardFLOPs: Int
  /// The gradient with respect to the layer's input.
  public var backwardDataFLOPs: Int
  /// The gradient with respect to the kernel.
  public var backwardWeightsFLOPs: Int

  /// Creates a cost record.
  /// - Parameters:
  ///   - name: the Keras layer name.
  ///   - kind: the Keras class name.
  ///   - forwardFLOPs: operations of the forward pass.
  ///   - backwardDataFLOPs: operations of the input gradient.
  ///   - backwardWeightsFLOPs: operations of the kernel gradient.
  public init(
    name: String, kind: String, forwardFLOPs: Int, backwardDataFLOPs: Int,
    backwardWeightsFLOPs: Int
  ) {
    self.name = name
    self.kind = kind
    self.forwardFLOPs = forwardFLOPs
    self.backwardDataFLOPs = backwardDataFLOPs
    self.backwardWeightsFLOPs = backwardWeightsFLOPs
  }

  /// `backwardDataFLOPs + backwardWeightsFLOPs`.
  public var backwardFLOPs: Int { backwardDataFLOPs + backwardWeightsFLOPs }

  /// Forward plus backward: one training step's work for this layer.
  public var trainingFLOPs: Int { forwardFLOPs + backwardFLOPs }

  /// Whether the layer does counted arithmetic (a convolution or a dense layer).
  public var hasFLOPs: Bool { forwardFLOPs > 0 }
}

extension Model {
  /// The cost of every layer, in model order (the input layer included, at zero).
  /// - Parameter batch: the batch size `N`; default 1.
  /// - Returns: one ``LayerCost`` per layer.
  /// - Precondition: `batch` is at least 1.
  public func layerCosts(batch: Int = 1) -> [LayerCost] {
    precondition(batch >= 1, "layer costs need a batch of at least 1, got \(batch)")
    return architecture.layers.enumerated().map { i, description in
      var forward = 0
      switch description.kind {
      case .conv2D(_, let kernelSize, _, _, _, _):
        let input = inputs[i].first.map { layers[$0].outputShape.keras } ?? []
        let output = layers[i].outputShape.keras
        let kernelArea = kernelSize.reduce(1, *)
        forward = 2 * batch * output[0] * output[1] * output[2] * kernelArea * (input.last ?? 0)
      case .dense(let units, _, _, _):
        let features = inputs[i].first.map { layers[$0].outputShape.keras.reduce(1, *) } ?? 0
        forward = 2 * batch * features * units
      default:
        forward = 0
      }
      // A training plan computes no gradient for the model's input (node 0).
      let readsModelInput = inputs[i].first == 0
      return LayerCost(
        name: description.name, kind: description.kind.typeName, forwardFLOPs: forward,
        backwardDataFLOPs: readsModelInput ? 0 : forward, backwardWeightsFLOPs: forward)
    }
  }

  /// The operations of one training step per image: the sum of ``LayerCost/trainingFLOPs``
  /// over the layers at batch 1 (102,362,880 for the reference model).
  public var trainingFLOPsPerImage: Int {
    layerCosts().reduce(0) { $0 + $1.trainingFLOPs }
  }
}
