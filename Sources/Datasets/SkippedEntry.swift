/// Why an entry of a source was left out of its image set.
public enum SkipReason: Equatable, Hashable, Sendable, CustomStringConvertible {
  /// The file is zero bytes long.
  case empty
  /// The file does not start with the PNG signature.
  case notPNG
  /// The file ends before its PNG data does (a chunk is cut off or `IEND` is missing).
  case truncated
  /// The PNG is malformed; the payload says how (bad CRC, bad header field, bad zlib data).
  case corrupt(String)
  /// The PNG decodes, but its size is not 28x28.
  case wrongSize(width: Int, height: Int)
  /// A `.png` file that does not sit in a letter folder A..J, so it has no label.
  case noLetterFolder
  /// An entry that is no regular file; the payload names what it is (`symbolic link`,
  /// `hard link`, `FIFO`, `character device`, ...). Its data is never read.
  case notRegularFile(String)
  /// A file larger than ``SourceLoader/maxImageFileBytes``, left unread; the payload is its
  /// size in bytes, or `nil` when the archive does not record it.
  case tooLarge(bytes: Int?)
  /// An archive entry whose path is absolute or holds a `..` component.
  case unsafePath

  /// A short phrase for reports, such as `empty file` or `image is 32x28, expected 28x28`.
  public var description: String {
    switch self {
    case .empty: return "empty file"
    case .notPNG: return "not a PNG file"
    case .truncated: return "truncated PNG"
    case .corrupt(let detail): return "corrupt PNG: \(detail)"
    case .wrongSize(let width, let height): return "image is \(width)x\(height), expected 28x28"
    case .noLetterFolder: return "not inside a letter folder A..J"
    case .notRegularFile(let kind): return "not a regular file (\(kind))"
    case .tooLarge(let bytes?): return "file too large for a 28x28 PNG (\(bytes) bytes)"
    case .tooLarge(nil):
      return "file too large for a 28x28 PNG (more than \(SourceLoader.maxImageFileBytes) bytes)"
    case .unsafePath: return "unsafe path"
    }
  }
}

/// An entry of a source that the loader skipped, named by its path inside the source.
public struct SkippedEntry: Equatable, Hashable, Sendable {
  /// The entry's path inside the source, such as `notMNIST_small/A/xyz.png`.
  public var entry: String
  /// Why it was skipped.
  public var reason: SkipReason

  /// Creates a skipped-entry record.
  /// - Parameters:
  ///   - entry: the path inside the source.
  ///   - reason: why it was skipped.
  public init(entry: String, reason: SkipReason) {
    self.entry = entry
    self.reason = reason
  }
}
