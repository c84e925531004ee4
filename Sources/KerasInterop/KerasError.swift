/// The errors of the KerasInterop module.
///
/// Every message names the file (and the zip entry, HDF5 object or layer inside it), what was
/// expected and what was found.
public enum KerasError: Error, Equatable, Sendable, CustomStringConvertible {
  /// A file could not be read or written: the path, the failed operation and the reason.
  case io(path: String, operation: String, reason: String)
  /// The zip archive is damaged or lacks an entry: the path and the problem.
  case archive(path: String, problem: String)
  /// An HDF5 call failed: the file, the object inside it and the operation.
  case hdf5(path: String, object: String, operation: String)
  /// `config.json` is not a model configuration this reader understands: the file and why.
  case invalidConfig(path: String, problem: String)
  /// A layer type or argument with no exact counterpart here: the layer name, its Keras class
  /// and the argument with its value.
  case unsupported(layer: String, className: String, problem: String)
  /// The stored weights do not fit the model: the file, the HDF5 object and the mismatch.
  case weights(path: String, object: String, problem: String)
  /// The model could not be built from the configuration: the file and the builder's message.
  case model(path: String, problem: String)
  /// The file (or an entry inside it) is not of the expected kind: the file and the problem,
  /// such as `not a regular file` or `not a valid HDF5 file`.
  case invalidFile(path: String, problem: String)

  /// A one-line message naming the file, what was expected and what was found.
  public var description: String {
    switch self {
    case .io(let path, let operation, let reason):
      "\(path): \(operation) failed: \(reason)"
    case .archive(let path, let problem):
      "\(path): \(problem)"
    case .hdf5(let path, let object, let operation):
      "\(path): HDF5 \(operation) failed for '\(object)'"
    case .invalidConfig(let path, let problem):
      "\(path): config.json: \(problem)"
    case .unsupported(let layer, let className, let problem):
      "layer '\(layer)' (\(className)): \(problem)"
    case .weights(let path, let object, let problem):
      "\(path): '\(object)': \(problem)"
    case .model(let path, let problem):
      "\(path): cannot build the model: \(problem)"
    case .invalidFile(let path, let problem):
      "\(path): \(problem)"
    }
  }
}
