import Foundation

#if canImport(Glibc)
  import Glibc
#endif

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
  ///
  /// Writes go straight to the file descriptors; a failed write (a full disk, a closed stream)
  /// is remembered instead of trapping, and ``hasOutputFailed`` tells the program afterwards.
  public static func standard() -> Console {
    let failure = FailureFlag()
    let console = Console(
      isErrorTerminal: isatty(STDERR_FILENO) == 1,
      out: { text in
        if !writeAll(text, to: STDOUT_FILENO) { failure.isSet = true }
      },
      error: { text in
        _ = writeAll(text, to: STDERR_FILENO)
      })
    console.failure = failure
    return console
  }

  /// Whether a write to standard output failed (only for ``standard()`` consoles).
  public var hasOutputFailed: Bool { failure?.isSet ?? false }

  private final class FailureFlag {
    var isSet = false
  }

  private var failure: FailureFlag?

  /// Writes all of `text` to a file descriptor, retrying short writes and interruptions.
  /// - Returns: false when the descriptor refuses the data.
  private static func writeAll(_ text: String, to descriptor: Int32) -> Bool {
    var bytes = Array(text.utf8)
    var offset = 0
    while offset < bytes.count {
      let written = bytes.withUnsafeMutableBytes {
        Glibc.write(descriptor, $0.baseAddress! + offset, $0.count - offset)
      }
      if written < 0 {
        if errno == EINTR { continue }
        return false
      }
      offset += written
    }
    return true
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
