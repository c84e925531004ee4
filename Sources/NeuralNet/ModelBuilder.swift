/// The named model architectures the program can build.
public enum ModelBuilder {
  /// The names ``architecture(named:)`` accepts.
  public static let names = ["reference", "tiny"]

  /// The architecture with the given name.
  /// - Throws: ``NeuralNetError/unknownModel(name:known:)`` for a name not in ``names``.
  public static func architecture(named name: String) throws(NeuralNetError) -> Architecture {
    switch name {
    case "reference": reference()
    case "tiny": tiny()
    default: throw .unknownModel(name: name, known: names)
    }
  }

  /// The reference notMNIST model: 1,347,306 parameters, 1,408 of them non-trainable.
  ///
  ///     Input 28x28x1 -> conv_block 32 3x3 -> MaxPool 3x3/2 same -> conv_block 32
  ///     -> Dropout 0.2 -> conv_block 64 -> MaxPool 3x3/2 same -> inceptionv2_block(64, 96)
  ///     -> Flatten -> Dropout 0.2 -> Dense 64 ReLU -> Dense 10 softmax
  public static func reference() -> Architecture {
    var g = GraphBuilder(name: "reference")
    var x = g.input(height: 28, width: 28, channels: 1)
    x = g.convBlock(x, filters: 32, kernelSize: 3)
    x = g.maxPooling2D(x, poolSize: [3, 3], strides: [2, 2], padding: .same)
    x = g.convBlock(x, filters: 32, kernelSize: 3)
    x = g.dropout(x, rate: 0.2)
    x = g.convBlock(x, filters: 64, kernelSize: 3)
    x = g.maxPooling2D(x, poolSize: [3, 3], strides: [2, 2], padding: .same)
    x = g.inceptionV2Block(x, reduction: 64, primary: 96)
    x = g.flatten(x)
    x = g.dropout(x, rate: 0.2)
    x = g.dense(x, units: 64, activation: .relu)
    x = g.dense(x, units: 10, activation: .softmax)
    return g.architecture(output: x)
  }

  /// A small model for tests and smoke runs on 28x28x1 input.
  ///
  ///     Input 28x28x1 -> conv_block 8 3x3 stride 2 -> MaxPool 2x2 -> Dropout 0.1 -> Flatten
  ///     -> Dense 10 softmax
  public static func tiny() -> Architecture {
    var g = GraphBuilder(name: "tiny")
    var x = g.input(height: 28, width: 28, channels: 1)
    x = g.convBlock(x, filters: 8, kernelSize: 3, strides: 2)
    x = g.maxPooling2D(x, poolSize: [2, 2])
    x = g.dropout(x, rate: 0.1)
    x = g.flatten(x)
    x = g.dense(x, units: 10, activation: .softmax)
    return g.architecture(output: x)
  }
}
