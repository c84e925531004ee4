/// The errors of file operations in TensorCore (``AtomicFile``).
///
/// Every message names the path, the failed system call and the system's reason.
public enum FileError: Error, Equatable, Sendable, CustomStringConvertible {
  /// A system call on `path` failed: the path, the call (`open`, `write`, `fsync`, `rename`, ...)
  /// and the reason (`strerror`).
  case io(path: String, operation: String, reason: String)

  /// `<path>: <operation> failed: <reason>`.
  public var description: String {
    switch self {
    case .io(let path, let operation, let reason):
      "\(path): \(operation) failed: \(reason)"
    }
  }
}
