import Foundation
import NeuralNet
import TensorCore
import Training

/// Reads and writes Keras 3 model files: `.keras` archives and bare `.weights.h5` files.
///
/// A `.keras` file is a zip archive holding `config.json` (the model's layers, arguments and
/// connections), `metadata.json` (the Keras version and save date) and `model.weights.h5`
/// (HDF5; each layer's variables as `float32` datasets `layers/<group>/vars/0..n` in Keras
/// weight order, where `<group>` is the snake-case class name numbered in layer order, such as
/// `conv2d_1`). Optimizer variables in the file are ignored.
///
/// ```swift
/// let model = try KerasModelFile.read(from: URL(fileURLWithPath: "reference.keras"))
/// try KerasModelFile.write(model, to: URL(fileURLWithPath: "copy.keras"))
/// ```
///
/// - Note: inputs are whatever the Keras model was trained on; the `notmnist` commands feed
///   pixels scaled as `(x - 127.5) / 255`, as the reference model expects.
public enum KerasModelFile {
  /// The Keras version whose file format is written into `metadata.json`.
  public static let kerasVersion = "3.15.1"

  /// Reads a `.keras` file and rebuilds the model with its weights.
  /// - Parameter url: the `.keras` file.
  /// - Returns: the model, whose architecture keeps the Keras layer names.
  /// - Throws: ``KerasError/invalidFile(path:problem:)`` for anything but a regular file or a
  ///   `model.weights.h5` entry that is not HDF5,
  ///   ``KerasError/archive(path:problem:)`` for a damaged zip or a missing entry,
  ///   ``KerasError/invalidConfig(path:problem:)`` and
  ///   ``KerasError/unsupported(layer:className:problem:)`` for a configuration that cannot be
  ///   rebuilt exactly, ``KerasError/model(path:problem:)`` when the graph cannot be built, and
  ///   ``KerasError/weights(path:object:problem:)`` when the weights do not fit.
  public static func read(from url: URL) throws(KerasError) -> Model {
    let path = url.path
    guard FileManager.default.fileExists(atPath: path) else {
      throw .io(path: path, operation: "open", reason: "no such file")
    }
    try checkRegularFile(path)
    let entries = try ZipArchive.entries(ofFileAt: path)
    guard let config = entries["config.json"] else {
      throw .archive(path: path, problem: "no config.json entry: not a Keras 3 .keras file")
    }
    guard let weights = entries["model.weights.h5"] else {
      throw .archive(path: path, problem: "no model.weights.h5 entry: not a Keras 3 .keras file")
    }
    let parsed = try KerasConfigReader.read(config, path: path)
    let model = try build(parsed.architecture, path: path)
    try withTemporaryFile(weights, path: path) { (file) throws(KerasError) in
      let h5: HDF5File
      do {
        h5 = try HDF5File.open(path: file)
      } catch {
        throw .invalidFile(path: path, problem: "model.weights.h5 is not a valid HDF5 file")
      }
      try load(h5, into: model, groups: parsed.weightGroups, path: path)
    }
    return model
  }

  /// Writes a model as a `.keras` file that `keras.saving.load_model` opens, atomically.
  /// - Parameters:
  ///   - model: the model.
  ///   - url: the file to create or replace.
  /// - Throws: ``KerasError/hdf5(path:object:operation:)``,
  ///   ``KerasError/archive(path:problem:)`` or ``KerasError/io(path:operation:reason:)``.
  public static func write(_ model: Model, to url: URL) throws(KerasError) {
    let path = url.path
    let weights = try weightsBytes(of: model, path: path)
    let metadata = KerasConfigWriter.json([
      "keras_version": kerasVersion, "date_saved": dateSaved(),
    ])
    let archive = try ZipArchive.archive(
      [
        ("metadata.json", metadata),
        ("config.json", KerasConfigWriter.configJSON(model.architecture)),
        ("model.weights.h5", weights),
      ], path: path)
    do {
      try AtomicFile.write(archive, to: url)
    } catch {
      throw .io(path: path, operation: "write", reason: error.description)
    }
  }

  /// Loads a bare Keras 3 `.weights.h5` file (what `model.save_weights` writes) into a model of
  /// the same architecture.
  /// - Parameters:
  ///   - url: the weights file.
  ///   - model: a model whose layers match the file's, in Keras's layer order.
  /// - Throws: ``KerasError/invalidFile(path:problem:)`` for anything but a regular file or a
  ///   file HDF5 cannot read, and ``KerasError/weights(path:object:problem:)`` when the weights
  ///   do not fit.
  public static func loadWeights(from url: URL, into model: Model) throws(KerasError) {
    try checkRegularFile(url.path)
    let h5 = try HDF5File.open(path: url.path)
    let groups = KerasConfigWriter.layout(of: model.architecture).weightGroups
    try load(h5, into: model, groups: groups, path: url.path)
  }

  /// Writes a model's weights as a bare Keras 3 `.weights.h5` file (what `model.load_weights`
  /// reads), atomically.
  /// - Throws: ``KerasError/hdf5(path:object:operation:)`` or
  ///   ``KerasError/io(path:operation:reason:)``.
  public static func writeWeights(of model: Model, to url: URL) throws(KerasError) {
    let bytes = try weightsBytes(of: model, path: url.path)
    do {
      try AtomicFile.write(bytes, to: url)
    } catch {
      throw .io(path: url.path, operation: "write", reason: error.description)
    }
  }

  // MARK: - Weights

  private static func build(_ architecture: Architecture, path: String) throws(KerasError)
    -> Model
  {
    do {
      return try Model(architecture: architecture)
    } catch {
      throw .model(path: path, problem: error.description)
    }
  }

  /// The model's parameters grouped by layer name, in Keras weight order.
  private static func parametersByLayer(_ model: Model) -> [String: [Parameter]] {
    var byLayer: [String: [Parameter]] = [:]
    for parameter in model.parameters {
      let layer = parameter.name.split(separator: "/").dropLast().joined(separator: "/")
      byLayer[layer, default: []].append(parameter)
    }
    return byLayer
  }

  private static func load(
    _ h5: HDF5File, into model: Model, groups: [String: String], path: String
  ) throws(KerasError) {
    guard h5.exists("layers") else {
      throw .weights(
        path: path, object: "/",
        problem: "no 'layers' group: not a Keras 3 weights file (Keras 2 .h5 is not supported)")
    }
    let byLayer = parametersByLayer(model)
    for layer in model.architecture.layers {
      let parameters = byLayer[layer.name] ?? []
      let group = "\(groups[layer.name] ?? "layers/\(layer.name)")/vars"
      let stored = h5.exists(group) ? try h5.members(of: group).count : 0
      guard stored == parameters.count else {
        throw .weights(
          path: path, object: group,
          problem: "holds \(stored) arrays, expected \(parameters.count) for layer"
            + " '\(layer.name)' (\(layer.kind.typeName))")
      }
      for (index, parameter) in parameters.enumerated() {
        let object = "\(group)/\(index)"
        let stored = try h5.shape(of: object)
        guard stored.elementsEqual(parameter.shape, by: { $0 == UInt64($1) }) else {
          throw .weights(
            path: path, object: object,
            problem: "shape [\(stored.map(String.init).joined(separator: ", "))], expected"
              + " \(parameter.shape) for '\(parameter.name)'")
        }
        let tensor = try h5.readTensor(object, expected: parameter.shape)
        parameter.setKerasValue(tensor)
      }
    }
    try checkNoStrayWeights(h5, groups: Set(groups.values), path: path)
  }

  /// Refuses a file with weights for layers the model does not have.
  private static func checkNoStrayWeights(_ h5: HDF5File, groups: Set<String>, path: String)
    throws(KerasError)
  {
    for member in try h5.members(of: "layers") where !groups.contains("layers/\(member)") {
      let vars = "layers/\(member)/vars"
      if h5.exists(vars), try !h5.members(of: vars).isEmpty {
        throw .weights(
          path: path, object: vars, problem: "holds weights for a layer the model does not have")
      }
    }
  }

  private static func weightsBytes(of model: Model, path: String) throws(KerasError) -> [UInt8] {
    let (layers, groups) = KerasConfigWriter.layout(of: model.architecture)
    let byLayer = parametersByLayer(model)
    let temporary = temporaryPath()
    defer { try? FileManager.default.removeItem(atPath: temporary) }
    do {
      let h5 = try HDF5File.create(path: temporary)
      try h5.createGroup("layers")
      for layer in layers {
        let group = groups[layer.name] ?? "layers/\(layer.name)"
        try h5.createGroup(group)
        try h5.createGroup("\(group)/vars")
        try h5.setAttribute("name", to: layer.name, on: "\(group)/vars")
        for (index, parameter) in (byLayer[layer.name] ?? []).enumerated() {
          try h5.write(parameter.kerasValue, at: "\(group)/vars/\(index)")
        }
      }
      try h5.createGroup("vars")
      try h5.setAttribute("name", to: model.architecture.name, on: "vars")
    }
    guard let data = FileManager.default.contents(atPath: temporary) else {
      throw .io(path: temporary, operation: "read back", reason: "the HDF5 file is missing")
    }
    return Array(data)
  }

  // MARK: - Files

  /// Refuses anything but a regular file (a FIFO would block and a device never ends), without
  /// opening it.
  /// - Throws: ``KerasError/invalidFile(path:problem:)`` with `not a regular file`, or
  ///   ``KerasError/io(path:operation:reason:)`` when it cannot be examined.
  private static func checkRegularFile(_ path: String) throws(KerasError) {
    var info = stat()
    guard stat(path, &info) == 0 else {
      throw .io(path: path, operation: "stat", reason: String(cString: strerror(errno)))
    }
    guard (info.st_mode & S_IFMT) == S_IFREG else {
      throw .invalidFile(path: path, problem: "not a regular file")
    }
  }

  private static func temporaryPath() -> String {
    FileManager.default.temporaryDirectory
      .appendingPathComponent("keras-\(ProcessInfo.processInfo.globallyUniqueString).h5").path
  }

  /// Writes `bytes` to a temporary file, runs `body` on its path and removes it.
  private static func withTemporaryFile(
    _ bytes: [UInt8], path: String, _ body: (String) throws(KerasError) -> Void
  ) throws(KerasError) {
    let temporary = temporaryPath()
    guard FileManager.default.createFile(atPath: temporary, contents: Data(bytes)) else {
      throw .io(path: temporary, operation: "create", reason: "cannot write \(path)'s weights")
    }
    defer { try? FileManager.default.removeItem(atPath: temporary) }
    try body(temporary)
  }

  private static func dateSaved() -> String {
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = TimeZone(identifier: "UTC")
    formatter.dateFormat = "yyyy-MM-dd@HH:mm:ss"
    return formatter.string(from: Date())
  }
}
