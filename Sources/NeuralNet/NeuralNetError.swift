/// The errors of the NeuralNet module.
///
/// oneDNN failures name the layer and the primitive; architecture errors name the layer and what
/// was expected and found.
public enum NeuralNetError: Error, Equatable, Sendable, CustomStringConvertible {
  /// oneDNN refused a call: the layer, the operation and the oneDNN status code.
  case dnnl(layer: String, operation: String, status: Int)
  /// An architecture that cannot be built: the layer and the reason.
  case invalidArchitecture(layer: String, reason: String)
  /// No model builder has this name; the known names follow.
  case unknownModel(name: String, known: [String])
  /// The CPU or oneDNN cannot compute in this precision: the precision and what was found.
  case unsupportedPrecision(Precision, reason: String)

  /// A one-line message naming the layer or model, what was expected and what was found.
  public var description: String {
    switch self {
    case .dnnl(let layer, let operation, let status):
      "\(layer): oneDNN \(operation) failed with status \(status)"
    case .invalidArchitecture(let layer, let reason):
      "\(layer): \(reason)"
    case .unknownModel(let name, let known):
      "unknown model '\(name)', expected one of: \(known.joined(separator: ", "))"
    case .unsupportedPrecision(let precision, let reason):
      "\(precision.rawValue) precision is not available: \(reason)\nhint: use fp32"
    }
  }
}
