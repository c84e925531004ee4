import Foundation

/// Where a command writes: results to standard output, progress and errors to standard error.
///
/// The program uses the process's streams; tests use a console that captures both.
public final class Console {
  /// Whether standard error is a terminal, so progress can be redrawn in place.
  public let isErrorTerminal: Bool
  private let writeOut: (String) -> Void
  private let writeError: (String) -> Void

  /// Creates a console from two writers.
  /// - Parameters:
  ///   - isErrorTerminal: whether the error stream is a terminal.
  ///   - out: receives result text exactly as given (newlines included).
  ///   - error: receives progress and error text exactly as given.
  public init(
    isErrorTerminal: Bool, out: @escaping (String) -> Void, error: @escaping (String) -> Void
  ) {
    self.isErrorTerminal = isErrorTerminal
    writeOut = out
    writeError = error
  }

  /// A console on the process's standard output and standard error.
  public static func standard() -> Console {
    Console(
      isErrorTerminal: isatty(STDERR_FILENO) == 1,
      out: { text in
        FileHandle.standardOutput.write(Data(text.utf8))
      },
      error: { text in
        FileHandle.standardError.write(Data(text.utf8))
      })
  }

  /// Writes result text followed by a newline to standard output.
  public func print(_ text: String) { writeOut(text + "\n") }

  /// Writes text to standard output as it is.
  public func write(_ text: String) { writeOut(text) }

  /// Writes a line to standard error.
  public func note(_ text: String) { writeError(text + "\n") }

  /// Writes text to standard error as it is (for progress redrawn in place).
  public func writeError(_ text: String) { writeError(text) }
}
