/// An error from drawing pictures: finding and loading a font, encoding or writing a PNG.
///
/// Every message names the file or step, what was expected and what was found, so it can be
/// shown to a user as is.
public enum PicturesError: Error, Equatable, Sendable, CustomStringConvertible {
  /// No usable font file was found; `searched` lists the candidate files and directories tried.
  case fontNotFound(searched: [String])
  /// FreeType could not open or size the font at `path`; `code` is FreeType's error code.
  case fontUnreadable(path: String, operation: String, code: Int32)
  /// libpng refused to encode the picture; `message` is libpng's text.
  case pngEncodingFailed(width: Int, height: Int, message: String)
  /// A system call on a file or directory failed; `reason` is the system's message.
  case io(path: String, operation: String, reason: String)

  /// A one-line message naming the file or step and the problem, with a hint where one helps.
  public var description: String {
    switch self {
    case .fontNotFound(let searched):
      return "no TrueType font found (looked for DejaVuSans.ttf, then any .ttf) in: "
        + searched.joined(separator: ", ")
        + "\nhint: install a font package, e.g. `apt-get install fonts-dejavu-core`"
    case .fontUnreadable(let path, let operation, let code):
      return "\(path): \(operation) failed with FreeType error \(code), expected a TrueType font"
    case .pngEncodingFailed(let width, let height, let message):
      return "PNG encoding of a \(width)x\(height) RGB picture failed: \(message)"
    case .io(let path, let operation, let reason):
      return "\(path): \(operation) failed: \(reason)"
    }
  }
}
