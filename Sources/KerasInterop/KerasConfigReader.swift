import Foundation
import NeuralNet

/// Rebuilds an ``Architecture`` from the `config.json` of a Keras 3 `.keras` file.
///
/// Functional models (`Functional`/`Model`) and `Sequential` models of the layers this project
/// implements are understood: `InputLayer` `[None, H, W, C]`, `Conv2D`, `BatchNormalization`,
/// `Activation`, `ReLU`, `Softmax`, `MaxPooling2D`, `Dropout`, `Flatten`, `Dense` and
/// `Concatenate`. Any other layer, and any argument whose value would give a different model
/// (dilation, groups, another data format, an activation we lack, a regularizer other than L2,
/// constraints, frozen layers, another dtype, ...), is a
/// ``KerasError/unsupported(layer:className:problem:)``.
enum KerasConfigReader {
  /// A parsed configuration: the architecture and, for each layer, the group that holds its
  /// weights in `model.weights.h5` (`layers/conv2d_1`).
  struct Result {
    var architecture: Architecture
    var weightGroups: [String: String]
  }

  /// Parses `config.json`.
  /// - Parameters:
  ///   - bytes: the file's contents.
  ///   - path: the `.keras` file, for messages.
  /// - Returns: the architecture and the weight group of each layer.
  /// - Throws: ``KerasError/invalidConfig(path:problem:)`` for JSON that is not a Keras model
  ///   configuration, ``KerasError/unsupported(layer:className:problem:)`` for layers and
  ///   arguments without an exact counterpart.
  static func read(_ bytes: [UInt8], path: String) throws(KerasError) -> Result {
    guard let root = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else {
      throw .invalidConfig(path: path, problem: "not a JSON object")
    }
    let className = root["class_name"] as? String ?? ""
    guard let config = root["config"] as? [String: Any],
      let layers = config["layers"] as? [[String: Any]]
    else {
      throw .invalidConfig(path: path, problem: "no 'config.layers' list")
    }
    let name = config["name"] as? String ?? "model"
    switch className {
    case "Functional", "Model":
      return try functional(name: name, config: config, layers: layers, path: path)
    case "Sequential":
      return try sequential(name: name, config: config, layers: layers, path: path)
    default:
      throw .invalidConfig(
        path: path,
        problem: "model class '\(className)', expected Functional, Model or Sequential")
    }
  }

  // MARK: - Graphs

  private static func functional(
    name: String, config: [String: Any], layers: [[String: Any]], path: String
  ) throws(KerasError) -> Result {
    let inputs = endpointNames(config["input_layers"])
    let outputs = endpointNames(config["output_layers"])
    guard inputs.count == 1, outputs.count == 1 else {
      throw .invalidConfig(
        path: path,
        problem: "\(inputs.count) inputs and \(outputs.count) outputs, expected one of each")
    }

    var descriptions: [LayerDescription] = []
    var classNames: [String] = []
    for layer in layers {
      let (className, layerName, layerConfig) = try identity(of: layer, path: path)
      let kind = try LayerTranslation.kind(className, layerName, layerConfig)
      let sources = try inboundNames(of: layer, layerName: layerName, className: className)
      descriptions.append(LayerDescription(name: layerName, kind: kind, inputs: sources))
      classNames.append(className)
    }
    let groups = weightGroups(names: descriptions.map(\.name), classNames: classNames)
    let ordered = try topologicalOrder(descriptions, output: outputs[0], path: path)
    try validate(ordered)
    return Result(architecture: Architecture(name: name, layers: ordered), weightGroups: groups)
  }

  private static func sequential(
    name: String, config: [String: Any], layers: [[String: Any]], path: String
  ) throws(KerasError) -> Result {
    var descriptions: [LayerDescription] = []
    var classNames: [String] = []
    for layer in layers {
      let (className, layerName, layerConfig) = try identity(of: layer, path: path)
      if descriptions.isEmpty && className != "InputLayer" {
        let shape =
          layerConfig["batch_shape"] ?? layerConfig["batch_input_shape"]
          ?? config["build_input_shape"]
        let input = try LayerTranslation.inputKind(shape, layer: "input_layer")
        descriptions.append(LayerDescription(name: "input_layer", kind: input, inputs: []))
      }
      let kind = try LayerTranslation.kind(className, layerName, layerConfig)
      let sources = descriptions.last.map { [$0.name] } ?? []
      descriptions.append(LayerDescription(name: layerName, kind: kind, inputs: sources))
      if className != "InputLayer" { classNames.append(className) }
    }
    // A Sequential model's weight file numbers its layers without the input layer.
    let weighted = descriptions.dropFirst().map(\.name)
    let groups = weightGroups(names: Array(weighted), classNames: classNames)
    try validate(descriptions)
    return Result(
      architecture: Architecture(name: name, layers: descriptions), weightGroups: groups)
  }

  /// Checks the arguments and sizes of `layers` (see ``Architecture/validate()``) before any
  /// layer is built.
  /// - Throws: ``KerasError/unsupported(layer:className:problem:)`` naming the first layer at
  ///   fault.
  static func validate(_ layers: [LayerDescription]) throws(KerasError) {
    do {
      try Architecture(name: "model", layers: layers).validate()
    } catch {
      guard case .invalidArchitecture(let layer, let reason) = error else {
        throw .unsupported(layer: "model", className: "Functional", problem: error.description)
      }
      let className = layers.first { $0.name == layer }?.kind.typeName ?? "Layer"
      throw .unsupported(layer: layer, className: className, problem: reason)
    }
  }

  private static func identity(of layer: [String: Any], path: String) throws(KerasError) -> (
    String, String, [String: Any]
  ) {
    guard let className = layer["class_name"] as? String,
      let config = layer["config"] as? [String: Any]
    else {
      throw .invalidConfig(path: path, problem: "a layer without 'class_name' and 'config'")
    }
    guard let name = layer["name"] as? String ?? config["name"] as? String else {
      throw .invalidConfig(path: path, problem: "a \(className) layer without a name")
    }
    return (className, name, config)
  }

  /// The layer names in `input_layers`/`output_layers`: `[name, 0, 0]` or a list of those.
  private static func endpointNames(_ value: Any?) -> [String] {
    guard let list = value as? [Any] else { return [] }
    if let name = list.first as? String { return [name] }
    return list.compactMap { ($0 as? [Any])?.first as? String }
  }

  /// The names of the layers a layer reads, from its single inbound node.
  private static func inboundNames(of layer: [String: Any], layerName: String, className: String)
    throws(KerasError) -> [String]
  {
    let nodes = layer["inbound_nodes"] as? [Any] ?? []
    guard nodes.count <= 1 else {
      throw .unsupported(
        layer: layerName, className: className,
        problem: "called \(nodes.count) times; shared layers are not supported")
    }
    guard let node = nodes.first else { return [] }
    var names: [String] = []
    var history: [[Any]] = []
    collectHistory(node, into: &history)
    for entry in history {
      guard let source = entry.first as? String else { continue }
      let nodeIndex = entry.count > 1 ? entry[1] as? Int ?? 0 : 0
      let tensorIndex = entry.count > 2 ? entry[2] as? Int ?? 0 : 0
      guard nodeIndex == 0, tensorIndex == 0 else {
        throw .unsupported(
          layer: layerName, className: className,
          problem: "reads output \(tensorIndex) of call \(nodeIndex) of '\(source)'; only"
            + " single-output layers called once are supported")
      }
      names.append(source)
    }
    return names
  }

  /// Finds `keras_history` triples (Keras 3) or `[name, node, tensor, kwargs]` lists (Keras 2)
  /// in an inbound node, in argument order, skipping keyword arguments.
  private static func collectHistory(_ value: Any, into history: inout [[Any]]) {
    if let object = value as? [String: Any] {
      if let config = object["config"] as? [String: Any],
        let entry = config["keras_history"] as? [Any]
      {
        history.append(entry)
      } else if let args = object["args"] {
        collectHistory(args, into: &history)
      }
    } else if let list = value as? [Any] {
      if let name = list.first as? String, list.count >= 3, list[1] is Int {
        history.append([name, list[1], list[2]])
      } else {
        for item in list { collectHistory(item, into: &history) }
      }
    }
  }

  /// Orders layers so each follows its inputs, keeping the file's order where it already does,
  /// and checks the output comes last.
  private static func topologicalOrder(
    _ layers: [LayerDescription], output: String, path: String
  ) throws(KerasError) -> [LayerDescription] {
    let known = Set(layers.map(\.name))
    for layer in layers {
      for input in layer.inputs where !known.contains(input) {
        throw .invalidConfig(
          path: path, problem: "layer '\(layer.name)' reads '\(input)', which is not a layer")
      }
    }
    var placed: Set<String> = []
    var ordered: [LayerDescription] = []
    var remaining = layers
    while !remaining.isEmpty {
      guard let next = remaining.firstIndex(where: { $0.inputs.allSatisfy(placed.contains) })
      else {
        throw .invalidConfig(path: path, problem: "the layer graph has a cycle")
      }
      let layer = remaining.remove(at: next)
      placed.insert(layer.name)
      ordered.append(layer)
    }
    guard ordered.last?.name == output else {
      throw .invalidConfig(
        path: path, problem: "the output '\(output)' is not the last layer of the graph")
    }
    return ordered
  }

  /// Keras 3 names each layer's weight group after its class in snake case, numbered in layer
  /// order (`conv2d`, `conv2d_1`, ...), whatever the layer's own name.
  static func weightGroups(names: [String], classNames: [String]) -> [String: String] {
    var used: [String: Int] = [:]
    var groups: [String: String] = [:]
    for (name, className) in zip(names, classNames) {
      let base = snakeCase(className)
      let group: String
      if let count = used[base] {
        used[base] = count + 1
        group = "\(base)_\(count + 1)"
      } else {
        used[base] = 0
        group = base
      }
      groups[name] = "layers/\(group)"
    }
    return groups
  }

  /// Keras's `to_snake_case`: `MaxPooling2D` -> `max_pooling2d`, `ReLU` -> `re_lu`.
  static func snakeCase(_ name: String) -> String {
    var text = name.filter { $0.isLetter || $0.isNumber || $0 == "_" }
    for (pattern, template) in [("(.)([A-Z][a-z]+)", "$1_$2"), ("([a-z])([A-Z])", "$1_$2")] {
      guard let regex = try? NSRegularExpression(pattern: pattern) else { continue }
      text = regex.stringByReplacingMatches(
        in: text, range: NSRange(text.startIndex..., in: text), withTemplate: template)
    }
    return text.lowercased()
  }
}
