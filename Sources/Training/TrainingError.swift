import TensorCore

/// An error from the training infrastructure: file I/O, safetensors files and event files.
///
/// Every message names the file, what was expected and what was found, so it can be shown to a
/// user as is.
public enum TrainingError: Error, Equatable, Sendable, CustomStringConvertible {
  /// A system call on a file or directory failed.
  ///
  /// For example `open`, `write`, `fsync` or `rename`; `reason` is the system's message.
  case io(path: String, operation: String, reason: String)
  /// A safetensors file does not follow the format; `problem` says what and where.
  case malformedSafetensors(path: String, problem: String)
  /// A safetensors tensor has a data type this reader does not support (only `F32` is).
  case unsupportedDType(path: String, tensor: String, dtype: String)
  /// A TensorBoard event file has a broken record at byte `offset`.
  case malformedEventFile(path: String, offset: Int, problem: String)

  /// A model or checkpoint file is well-formed but does not fit: another format, a missing or
  /// misshapen tensor, an architecture the engine cannot build.
  case incompatibleFile(path: String, problem: String)
  /// The engine or the optimizer refused to run; `message` is its own description.
  case engine(String)
  /// The training loss stopped being a finite number at a global step.
  case diverged(step: Int, loss: Double)

  /// A one-line message naming the file and the problem.
  public var description: String {
    switch self {
    case .io(let path, let operation, let reason):
      return "\(path): \(operation) failed: \(reason)"
    case .malformedSafetensors(let path, let problem):
      return "\(path): \(problem)"
    case .unsupportedDType(let path, let tensor, let dtype):
      return "\(path): tensor '\(tensor)' has dtype \(dtype), expected F32"
    case .malformedEventFile(let path, let offset, let problem):
      return "\(path): record at byte \(offset): \(problem)"
    case .incompatibleFile(let path, let problem):
      return "\(path): \(problem)"
    case .engine(let message):
      return message
    case .diverged(let step, let loss):
      return "training diverged: the loss is \(loss) at step \(step)\n"
        + "hint: lower --learning-rate; the last checkpoint holds the weights before it"
    }
  }
}

extension TrainingError {
  /// The training error for a failed file operation of TensorCore: the same path, call and
  /// reason, as ``TrainingError/io(path:operation:reason:)``.
  /// - Parameter error: the file error.
  public init(_ error: FileError) {
    switch error {
    case .io(let path, let operation, let reason):
      self = .io(path: path, operation: operation, reason: reason)
    }
  }
}
