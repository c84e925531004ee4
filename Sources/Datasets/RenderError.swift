/// A failure while rendering fonts into notMNIST-style images or writing them out.
///
/// Fonts that cannot be used (a missing letter, a symbol font) are not errors: the renderer
/// skips them and counts them by `FontSkipReason`. These cases stop the whole run.
public enum RenderError: Error, Equatable, CustomStringConvertible {
  /// FreeType itself could not be started.
  case freeTypeUnavailable(code: Int32)
  /// No font directory given exists.
  case noFontDirectories([String])
  /// libpng refused to encode an image.
  case pngEncoding(String)
  /// An output file could not be written: the path and what went wrong.
  case writeFailed(path: String, reason: String)
  /// The output path names neither a `.tar.gz`/`.tgz` nor an `-images-idx3-ubyte[.gz]` file.
  case unsupportedOutput(String)

  /// The message, naming the file and what was expected and found.
  public var description: String {
    switch self {
    case .freeTypeUnavailable(let code):
      "FreeType could not be initialised (FT_Init_FreeType returned \(code))"
    case .noFontDirectories(let paths):
      "no font directory found among \(paths.joined(separator: ", "))\n"
        + "hint: install fonts (scripts/setup.sh) or pass --fonts DIR"
    case .pngEncoding(let message):
      "PNG encoding failed: \(message)"
    case .writeFailed(let path, let reason):
      "\(path): could not write: \(reason)"
    case .unsupportedOutput(let path):
      "\(path): expected a name ending in .tar.gz, .tgz, -images-idx3-ubyte or "
        + "-images-idx3-ubyte.gz"
    }
  }
}
