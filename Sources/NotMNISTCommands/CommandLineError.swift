/// A mistake in how the program was called, or a failure while it ran.
///
/// Usage mistakes exit with 64 (`EX_USAGE`) after an `error:` line and a one-line usage hint;
/// runtime failures exit with 1.
public enum CommandLineError: Error, Equatable, CustomStringConvertible {
  /// The arguments do not fit the command: an unknown flag, a missing or malformed value.
  case usage(String)
  /// The command was called correctly but could not do its work (a file it needs is bad).
  case failure(String)

  /// The message, without the `error: ` prefix.
  public var description: String {
    switch self {
    case .usage(let message), .failure(let message): message
    }
  }

  /// The process exit status that goes with this error.
  public var exitCode: Int32 {
    switch self {
    case .usage: 64
    case .failure: 1
    }
  }
}
