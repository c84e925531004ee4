import Foundation

/// Reads MNIST-style idx files: an `idx3-ubyte` images file and its `idx1-ubyte` labels file.
///
/// Either file may be plain or gzip-compressed; compression is detected from the content, not
/// the name. Both headers are checked before anything is trusted: the magic number
/// (`0x00000803` for images, `0x00000801` for labels), the dimension count, 28x28 images, a file
/// length equal to the header's, equal counts, and labels in 0...9. Images are named
/// `idx#<index>` after their position in the file.
///
/// Layout (big-endian): images `[magic, N, 28, 28]` then `N * 784` bytes; labels `[magic, N]`
/// then `N` bytes.
public enum IDXReader {
  /// Reads an images file and its labels.
  /// - Parameters:
  ///   - imagesPath: the `*-images-idx3-ubyte[.gz]` file.
  ///   - labelsPath: the labels file; when `nil`, it is looked up beside the images file (see
  ///     ``labelsPathCandidates(forImagesAt:)``).
  /// - Returns: the images, in file order.
  /// - Throws: `DatasetError` naming the file and the fault: missing file, gzip error, magic,
  ///   dimensions, image size, length, label range, count mismatch, or no labels file found.
  public static func read(
    imagesAt imagesPath: String, labelsAt labelsPath: String? = nil
  ) throws(DatasetError) -> ImageSet {
    let imageBytes = try contents(of: imagesPath)
    let (imageCount, pixelStart) = try parseImagesHeader(imageBytes, path: imagesPath)
    let resolvedLabels: String
    if let labelsPath {
      resolvedLabels = labelsPath
    } else {
      resolvedLabels = try findLabels(forImagesAt: imagesPath)
    }
    let labelBytes = try contents(of: resolvedLabels)
    let labels = try parseLabels(labelBytes, path: resolvedLabels)
    guard labels.count == imageCount else {
      throw .idxCountMismatch(
        imagesPath: imagesPath, imageCount: imageCount, labelsPath: resolvedLabels,
        labelCount: labels.count)
    }
    let pixels = Array(imageBytes[pixelStart...])
    let names = (0..<imageCount).map { "idx#\($0)" }
    return ImageSet(pixels: pixels, labels: labels, names: names)
  }

  /// The labels paths tried, in order, for an images file, such as `t10k-labels-idx1-ubyte.gz`
  /// and `t10k-labels-idx1-ubyte` for `t10k-images-idx3-ubyte.gz`.
  /// - Parameter imagesPath: the images file's path.
  /// - Returns: candidate paths; empty when the name has no `images-idx3` / `images.idx3` part.
  public static func labelsPathCandidates(forImagesAt imagesPath: String) -> [String] {
    let slash = imagesPath.lastIndex(of: "/").map { imagesPath.index(after: $0) }
    let folder = String(imagesPath[..<(slash ?? imagesPath.startIndex)])
    let name = String(imagesPath[(slash ?? imagesPath.startIndex)...])
    for (images, labels) in [("images-idx3", "labels-idx1"), ("images.idx3", "labels.idx1")] {
      guard let range = name.range(of: images, options: .backwards) else { continue }
      let base = name.replacingCharacters(in: range, with: labels)
      let stem = base.hasSuffix(".gz") ? String(base.dropLast(3)) : base
      return [folder + base] + (base == stem ? [folder + stem + ".gz"] : [folder + stem])
    }
    return []
  }

  // MARK: - Headers

  private static func contents(of path: String) throws(DatasetError) -> [UInt8] {
    let bytes = try FileIO.read(path)
    return Gzip.isCompressed(bytes) ? try Gzip.decompress(bytes, path: path) : bytes
  }

  private static func findLabels(forImagesAt imagesPath: String) throws(DatasetError) -> String {
    let candidates = labelsPathCandidates(forImagesAt: imagesPath)
    guard let found = candidates.first(where: { FileIO.kind(of: $0) == .file }) else {
      throw .labelsNotFound(imagesPath: imagesPath, tried: candidates)
    }
    return found
  }

  /// Checks an images header and returns the image count and where the pixels start.
  static func parseImagesHeader(
    _ bytes: [UInt8], path: String
  ) throws(DatasetError) -> (count: Int, pixelStart: Int) {
    try checkMagic(bytes, path: path, expectedDimensions: 3)
    guard bytes.count >= 16 else { throw .idxLength(path: path, found: bytes.count, expected: 16) }
    let count = Int(word(bytes, 4))
    let rows = Int(word(bytes, 8))
    let columns = Int(word(bytes, 12))
    guard rows == ImageSet.side, columns == ImageSet.side else {
      throw .idxImageSize(path: path, rows: rows, columns: columns)
    }
    let expected = 16 + count * ImageSet.pixelsPerImage
    guard bytes.count == expected else {
      throw .idxLength(path: path, found: bytes.count, expected: expected)
    }
    return (count, 16)
  }

  /// Checks a labels file and returns its labels.
  static func parseLabels(_ bytes: [UInt8], path: String) throws(DatasetError) -> [UInt8] {
    try checkMagic(bytes, path: path, expectedDimensions: 1)
    guard bytes.count >= 8 else { throw .idxLength(path: path, found: bytes.count, expected: 8) }
    let count = Int(word(bytes, 4))
    guard bytes.count == 8 + count else {
      throw .idxLength(path: path, found: bytes.count, expected: 8 + count)
    }
    let labels = Array(bytes[8...])
    if let index = labels.firstIndex(where: { $0 >= ImageSet.classCount }) {
      throw .idxLabelOutOfRange(path: path, index: index, value: labels[index])
    }
    return labels
  }

  /// Checks the magic number: two zero bytes, type `0x08` (unsigned byte), then the dimension
  /// count.
  private static func checkMagic(
    _ bytes: [UInt8], path: String, expectedDimensions: Int
  ) throws(DatasetError) {
    let expectedMagic = 0x0000_0800 | UInt32(expectedDimensions)
    guard bytes.count >= 4 else {
      throw .idxLength(path: path, found: bytes.count, expected: 4 + 4 * expectedDimensions)
    }
    let magic = word(bytes, 0)
    guard magic >> 8 == 0x08 else {
      throw .idxMagic(path: path, found: magic, expected: expectedMagic)
    }
    let dimensions = Int(magic & 0xFF)
    guard dimensions == expectedDimensions else {
      // A labels file passed as images (or the reverse) is a magic mismatch, with a hint.
      if dimensions == 1 || dimensions == 3 {
        throw .idxMagic(path: path, found: magic, expected: expectedMagic)
      }
      throw .idxDimensions(path: path, found: dimensions, expected: expectedDimensions)
    }
  }

  private static func word(_ bytes: [UInt8], _ offset: Int) -> UInt32 {
    UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16
      | UInt32(bytes[offset + 2]) << 8 | UInt32(bytes[offset + 3])
  }
}
