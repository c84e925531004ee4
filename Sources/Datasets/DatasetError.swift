/// A data source that cannot be read at all.
///
/// Problems with single images (an empty or corrupt PNG, a glyph that is not 28x28) are not
/// errors: the loader skips those entries and reports them as ``SkippedEntry`` values. A
/// `DatasetError` means the whole source is unusable: a missing path, a truncated archive, a bad
/// idx header, images and labels that disagree. Each message names the file, what was expected
/// and what was found, and may add a second line starting with `hint:`.
public enum DatasetError: Error, Equatable, Sendable, CustomStringConvertible {
  /// Nothing exists at `path`.
  case fileNotFound(path: String)
  /// The operating system refused to read `path`.
  case unreadable(path: String, reason: String)
  /// libarchive could not read the archive at `path` (truncated, corrupt, or not an archive).
  case archive(path: String, reason: String)
  /// The gzip stream of `path` is corrupt or ends early.
  case gzip(path: String, reason: String)
  /// The idx file at `path` starts with `found` instead of the `expected` magic number.
  case idxMagic(path: String, found: UInt32, expected: UInt32)
  /// The idx file at `path` declares `found` dimensions instead of `expected`.
  case idxDimensions(path: String, found: Int, expected: Int)
  /// The idx images file at `path` holds `rows` x `columns` images instead of 28x28.
  case idxImageSize(path: String, rows: Int, columns: Int)
  /// The idx file at `path` is `found` bytes long; its header implies `expected` bytes.
  case idxLength(path: String, found: Int, expected: Int)
  /// The labels file at `path` holds `value` at `index`, outside 0...9.
  case idxLabelOutOfRange(path: String, index: Int, value: UInt8)
  /// The images file and the labels file hold different numbers of entries.
  case idxCountMismatch(
    imagesPath: String, imageCount: Int, labelsPath: String, labelCount: Int)
  /// No labels file was given for the idx images file at `path`, and none of `tried` exists.
  case labelsNotFound(imagesPath: String, tried: [String])
  /// The folder or archive at `path` holds no files in letter folders A..J.
  case noImages(path: String)
  /// The file at `path` is neither an archive (by extension) nor an idx file (by content or
  /// name).
  case notADataSource(path: String)
  /// The path names a device, FIFO or socket, which could block or never end: the path.
  case notRegularFile(path: String)

  /// The message shown to users: what failed, where, what was expected and what was found.
  public var description: String {
    switch self {
    case .fileNotFound(let path):
      return "\(path): no such file or folder"
    case .unreadable(let path, let reason):
      return "\(path): cannot be read (\(reason))"
    case .archive(let path, let reason):
      return "\(path): cannot read archive: \(reason)\n"
        + "hint: the archive may be truncated or corrupt; check its size and checksum"
    case .gzip(let path, let reason):
      return "\(path): \(reason)\n"
        + "hint: the file may be truncated; check its size and checksum"
    case .idxMagic(let path, let found, let expected):
      return "\(path): magic \(hex(found)), expected \(hex(expected))"
        + magicHint(found: found, expected: expected)
    case .idxDimensions(let path, let found, let expected):
      return "\(path): \(found) dimensions, expected \(expected)"
    case .idxImageSize(let path, let rows, let columns):
      return "\(path): images are \(rows)x\(columns), expected 28x28"
    case .idxLength(let path, let found, let expected):
      return "\(path): \(found) bytes, expected \(expected) from the header\n"
        + "hint: the file is \(found < expected ? "truncated" : "longer than its header says")"
    case .idxLabelOutOfRange(let path, let index, let value):
      return "\(path): label \(value) at index \(index), expected 0...9"
    case .idxCountMismatch(let imagesPath, let imageCount, let labelsPath, let labelCount):
      return "\(imagesPath): \(imageCount) images, but \(labelsPath) has \(labelCount) labels\n"
        + "hint: the images and labels files must come from the same set"
    case .labelsNotFound(let imagesPath, let tried):
      return
        "\(imagesPath): no labels file found beside it (tried \(tried.joined(separator: ", ")))\n"
        + "hint: name it *-labels-idx1-ubyte[.gz] or pass the labels path explicitly"
    case .noImages(let path):
      return "\(path): no files found in letter folders A..J\n"
        + "hint: the source must hold one folder per letter, e.g. A/xyz.png"
    case .notADataSource(let path):
      return "\(path): not a data source: expected a folder, a .tar/.tar.gz/.tgz/.zip archive"
        + " or an idx file"
    case .notRegularFile(let path):
      return "\(path): not a regular file"
    }
  }
}

/// Formats a magic number as `0x` and eight upper-case hex digits.
private func hex(_ value: UInt32) -> String {
  let digits = String(value, radix: 16, uppercase: true)
  return "0x" + String(repeating: "0", count: 8 - digits.count) + digits
}

/// A `hint:` line for a wrong magic number whose value suggests the cause.
private func magicHint(found: UInt32, expected: UInt32) -> String {
  if found >> 16 == 0x1F8B {
    return "\nhint: the file still looks gzip-compressed"
  }
  if found == 0x0000_0801 && expected == 0x0000_0803 {
    return "\nhint: this is an idx1 labels file; pass the images file"
  }
  if found == 0x0000_0803 && expected == 0x0000_0801 {
    return "\nhint: this is an idx3 images file; pass the labels file"
  }
  if found == 0x8950_4E47 {
    return "\nhint: this is a PNG file, not an idx file"
  }
  return ""
}
