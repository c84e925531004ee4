import Foundation
import NeuralNet

/// Writes an ``Architecture`` as the `config.json` of a Keras 3 functional model.
///
/// Layers are listed in the order Keras itself gives a functional model's layers (by depth from
/// the output, deepest first, ties in depth-first order from the output), because Keras numbers
/// the weight groups of `model.weights.h5` in that order when it loads the file.
enum KerasConfigWriter {
  /// The layers in Keras's order, with each layer's weight group (`layers/conv2d_1`).
  static func layout(of architecture: Architecture) -> (
    layers: [LayerDescription], weightGroups: [String: String]
  ) {
    let layers = kerasOrder(architecture)
    let groups = KerasConfigReader.weightGroups(
      names: layers.map(\.name), classNames: layers.map(\.kind.typeName))
    return (layers, groups)
  }

  /// The JSON text of `config.json`.
  static func configJSON(_ architecture: Architecture) -> [UInt8] {
    let layers = kerasOrder(architecture)
    let shapes = outputShapes(architecture)
    let entries: [[String: Any]] = layers.map { layer in
      var entry: [String: Any] = [
        "module": "keras.layers", "class_name": layer.kind.typeName,
        "config": config(of: layer), "registered_name": NSNull(), "name": layer.name,
      ]
      let inputShapes = layer.inputs.map { batchShape(shapes[$0] ?? []) }
      let tensors: [Any] = layer.inputs.map { source in
        [
          "class_name": "__keras_tensor__",
          "config": [
            "shape": batchShape(shapes[source] ?? []), "dtype": "float32",
            "keras_history": [source, 0, 0],
          ] as [String: Any],
        ] as [String: Any]
      }
      switch layer.kind {
      case .input:
        entry["inbound_nodes"] = [Any]()
      case .concatenate:
        entry["inbound_nodes"] = [["args": [tensors], "kwargs": [String: Any]()]]
        entry["build_config"] = ["input_shape": inputShapes]
      default:
        entry["inbound_nodes"] = [["args": tensors, "kwargs": [String: Any]()]]
        entry["build_config"] = ["input_shape": inputShapes.first.map { $0 as Any } ?? NSNull()]
      }
      return entry
    }
    let first = architecture.layers.first?.name ?? "input_layer"
    let last = architecture.layers.last?.name ?? first
    let root: [String: Any] = [
      "module": "keras.src.models.functional", "class_name": "Functional",
      "registered_name": "Functional", "build_config": ["input_shape": NSNull()],
      "config": [
        "name": architecture.name, "trainable": true, "layers": entries,
        "input_layers": [first, 0, 0], "output_layers": [last, 0, 0],
      ] as [String: Any],
    ]
    return json(root)
  }

  /// Compact JSON with sorted keys.
  static func json(_ object: Any) -> [UInt8] {
    guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    else {
      fatalError("the configuration holds only JSON types")
    }
    return Array(data)
  }

  // MARK: - Layer configurations

  private static func config(of layer: LayerDescription) -> [String: Any] {
    var config: [String: Any] = ["name": layer.name]
    if case .input = layer.kind {
    } else {
      config["trainable"] = true
      config["dtype"] =
        [
          "module": "keras", "class_name": "DTypePolicy", "config": ["name": "float32"],
          "registered_name": NSNull(),
        ] as [String: Any]
    }
    switch layer.kind {
    case .input(let height, let width, let channels):
      config["batch_shape"] = [NSNull(), height, width, channels]
      config["dtype"] = "float32"
      config["sparse"] = false
      config["ragged"] = false
    case .conv2D(let filters, let kernelSize, let strides, let padding, let useBias, let l2):
      config["filters"] = filters
      config["kernel_size"] = kernelSize
      config["strides"] = strides
      config["padding"] = padding.rawValue
      config["data_format"] = "channels_last"
      config["dilation_rate"] = [1, 1]
      config["groups"] = 1
      config["activation"] = "linear"
      config["use_bias"] = useBias
      config["kernel_initializer"] = initializer("GlorotUniform")
      config["bias_initializer"] = initializer("Zeros")
      config["kernel_regularizer"] = regularizer(l2)
    case .batchNormalization(let momentum, let epsilon):
      config["axis"] = -1
      config["momentum"] = decimal(momentum)
      config["epsilon"] = decimal(epsilon)
      config["center"] = true
      config["scale"] = true
    case .activation(let kind):
      config["activation"] = kind.rawValue
    case .maxPooling2D(let poolSize, let strides, let padding):
      config["pool_size"] = poolSize
      config["strides"] = strides
      config["padding"] = padding.rawValue
      config["data_format"] = "channels_last"
    case .dropout(let rate):
      config["rate"] = decimal(rate)
    case .flatten:
      config["data_format"] = "channels_last"
    case .dense(let units, let activation, let useBias, let l2):
      config["units"] = units
      config["activation"] = activation.rawValue
      config["use_bias"] = useBias
      config["kernel_initializer"] = initializer("GlorotUniform")
      config["bias_initializer"] = initializer("Zeros")
      config["kernel_regularizer"] = regularizer(l2)
    case .concatenate:
      config["axis"] = -1
    }
    return config
  }

  private static func initializer(_ name: String) -> [String: Any] {
    [
      "module": "keras.initializers", "class_name": name, "config": [String: Any](),
      "registered_name": NSNull(),
    ]
  }

  private static func regularizer(_ l2: Float) -> Any {
    guard l2 != 0 else { return NSNull() }
    return [
      "module": "keras.regularizers", "class_name": "L2", "config": ["l2": decimal(l2)],
      "registered_name": NSNull(),
    ] as [String: Any]
  }

  /// The shortest decimal that reads back as the same `Float`, so `4e-05` is not written as
  /// `3.9999998989515007e-05`.
  private static func decimal(_ value: Float) -> Double {
    Double("\(value)") ?? Double(value)
  }

  private static func batchShape(_ shape: [Int]) -> [Any] {
    [NSNull()] + shape.map { $0 as Any }
  }

  // MARK: - Graph order and shapes

  /// The order of `Function.map_graph` in Keras 3: layers by decreasing depth (the longest path
  /// to the output), ties broken by the order a depth-first walk from the output first meets
  /// them (inputs in argument order).
  static func kerasOrder(_ architecture: Architecture) -> [LayerDescription] {
    let layers = architecture.layers
    guard let output = layers.last else { return [] }
    let index = Dictionary(
      layers.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { first, _ in first })

    var discovery: [Int: Int] = [:]
    var finished: [Int] = []
    var stack: [(layer: Int, next: Int)] = [(index[output.name] ?? 0, 0)]
    discovery[stack[0].layer] = 0
    while var top = stack.popLast() {
      let inputs = layers[top.layer].inputs.compactMap { index[$0] }
      if top.next < inputs.count {
        let child = inputs[top.next]
        top.next += 1
        stack.append(top)
        if discovery[child] == nil {
          discovery[child] = discovery.count
          stack.append((child, 0))
        }
      } else {
        finished.append(top.layer)
      }
    }

    var depth: [Int: Int] = [:]
    for layer in finished.reversed() {
      let own = depth[layer, default: 0]
      for input in layers[layer].inputs.compactMap({ index[$0] }) {
        depth[input] = max(depth[input, default: 0], own + 1)
      }
    }
    return
      finished
      .sorted {
        let (a, b) = (depth[$0, default: 0], depth[$1, default: 0])
        return a != b ? a > b : discovery[$0, default: 0] < discovery[$1, default: 0]
      }
      .map { layers[$0] }
  }

  /// Each layer's output shape without the batch axis.
  static func outputShapes(_ architecture: Architecture) -> [String: [Int]] {
    var shapes: [String: [Int]] = [:]
    for layer in architecture.layers {
      let inputs = layer.inputs.map { shapes[$0] ?? [] }
      let first = inputs.first ?? []
      switch layer.kind {
      case .input(let height, let width, let channels):
        shapes[layer.name] = [height, width, channels]
      case .conv2D(let filters, let kernelSize, let strides, let padding, _, _):
        shapes[layer.name] = spatial(first, kernelSize, strides, padding) + [filters]
      case .maxPooling2D(let poolSize, let strides, let padding):
        shapes[layer.name] = spatial(first, poolSize, strides, padding) + [first.last ?? 0]
      case .batchNormalization, .activation, .dropout:
        shapes[layer.name] = first
      case .flatten:
        shapes[layer.name] = [first.reduce(1, *)]
      case .dense(let units, _, _, _):
        shapes[layer.name] = Array(first.dropLast()) + [units]
      case .concatenate:
        shapes[layer.name] = Array(first.dropLast()) + [inputs.reduce(0) { $0 + ($1.last ?? 0) }]
      }
    }
    return shapes
  }

  private static func spatial(_ shape: [Int], _ window: [Int], _ strides: [Int], _ padding: Padding)
    -> [Int]
  {
    guard shape.count == 3, window.count == 2, strides.count == 2 else { return shape }
    return (0..<2).map {
      padding.geometry(input: shape[$0], kernel: window[$0], stride: strides[$0]).output
    }
  }
}
