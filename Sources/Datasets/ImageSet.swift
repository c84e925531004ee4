/// Labelled 28x28 grayscale letter images, kept as bytes.
///
/// Pixels are stored row-major as `[N, 28, 28]` `UInt8` values exactly as decoded (glyph bright,
/// background dark), 784 bytes per image; all of notMNIST_large takes about 415 MB. Labels are
/// 0...9 for the letters A...J. Each image keeps the name of the entry it came from (its path
/// inside the source, or `idx#<index>` for idx files), so predictions and reports can name it.
/// Batches are turned into normalized `Float`s only when they are needed (see
/// ``writeBatch(indices:into:normalization:)``).
public struct ImageSet: Sendable, Equatable {
  /// Side length of every image in pixels.
  public static let side = 28
  /// Number of pixels (and bytes) per image: 784.
  public static let pixelsPerImage = side * side
  /// Number of classes (letters A...J).
  public static let classCount = 10

  /// All pixels, `[N, 28, 28]` row-major, 784 bytes per image.
  public private(set) var pixels: [UInt8]
  /// The label of each image, 0...9 for A...J.
  public private(set) var labels: [UInt8]
  /// The entry name of each image (path inside the source, or `idx#<index>`).
  public private(set) var names: [String]

  /// Creates an image set from parallel arrays.
  /// - Parameters:
  ///   - pixels: `[N, 28, 28]` bytes.
  ///   - labels: `N` labels in 0...9.
  ///   - names: `N` entry names.
  /// - Precondition: the counts agree and every label is below 10.
  public init(pixels: [UInt8], labels: [UInt8], names: [String]) {
    precondition(
      pixels.count == labels.count * Self.pixelsPerImage,
      "ImageSet needs 784 pixels per label, got \(pixels.count) pixels for \(labels.count) labels")
    precondition(
      names.count == labels.count,
      "ImageSet needs one name per label, got \(names.count) names for \(labels.count) labels")
    precondition(
      labels.allSatisfy { $0 < Self.classCount }, "ImageSet labels must be in 0...9")
    self.pixels = pixels
    self.labels = labels
    self.names = names
  }

  /// Creates an empty image set.
  public init() {
    self.pixels = []
    self.labels = []
    self.names = []
  }

  /// The number of images.
  public var count: Int { labels.count }

  /// Whether the set holds no images.
  public var isEmpty: Bool { labels.isEmpty }

  /// The number of images of each class, A...J (always 10 entries).
  public var countsPerClass: [Int] {
    var counts = [Int](repeating: 0, count: Self.classCount)
    for label in labels { counts[Int(label)] += 1 }
    return counts
  }

  /// The 784 pixels of image `index`, row-major.
  /// - Precondition: `index` is in `0..<count`.
  public func pixels(at index: Int) -> ArraySlice<UInt8> {
    precondition(index >= 0 && index < count, "image index \(index) out of range 0..<\(count)")
    let start = index * Self.pixelsPerImage
    return pixels[start..<(start + Self.pixelsPerImage)]
  }

  /// Reserves room for `imageCount` images in total.
  ///
  /// Memory that is reserved but never written is not resident on Linux, so reserving by a
  /// generous estimate avoids the copy (and the doubled peak memory) of growing a large set.
  /// - Parameter imageCount: the expected number of images.
  public mutating func reserveCapacity(_ imageCount: Int) {
    pixels.reserveCapacity(imageCount * Self.pixelsPerImage)
    labels.reserveCapacity(imageCount)
    names.reserveCapacity(imageCount)
  }

  /// Appends one image.
  /// - Parameters:
  ///   - imagePixels: 784 bytes, row-major.
  ///   - label: 0...9.
  ///   - name: the entry name.
  /// - Precondition: 784 pixels and a label below 10.
  public mutating func append(
    pixels imagePixels: some Collection<UInt8>, label: UInt8, name: String
  ) {
    precondition(
      imagePixels.count == Self.pixelsPerImage,
      "an image needs 784 pixels, got \(imagePixels.count)")
    precondition(label < Self.classCount, "label \(label) out of range 0...9")
    pixels.append(contentsOf: imagePixels)
    labels.append(label)
    names.append(name)
  }

  /// Appends every image of another set, keeping its order.
  /// - Parameter other: the images to add.
  public mutating func append(contentsOf other: ImageSet) {
    pixels.append(contentsOf: other.pixels)
    labels.append(contentsOf: other.labels)
    names.append(contentsOf: other.names)
  }

  /// Returns the images at `indices`, in that order (an index may repeat).
  /// - Parameter indices: positions in `0..<count`.
  /// - Returns: a new set with `indices.count` images.
  /// - Precondition: every index is in range.
  public func selecting(_ indices: some Collection<Int>) -> ImageSet {
    var result = ImageSet()
    result.pixels.reserveCapacity(indices.count * Self.pixelsPerImage)
    result.labels.reserveCapacity(indices.count)
    result.names.reserveCapacity(indices.count)
    pixels.withUnsafeBufferPointer { source in
      for index in indices {
        precondition(index >= 0 && index < count, "image index \(index) out of range 0..<\(count)")
        let start = index * Self.pixelsPerImage
        result.pixels.append(
          contentsOf: UnsafeBufferPointer(
            rebasing: source[start..<(start + Self.pixelsPerImage)]))
        result.labels.append(labels[index])
        result.names.append(names[index])
      }
    }
    return result
  }
}

extension ImageSet {
  /// The indices of the blank images: those whose 784 pixels are all equal.
  ///
  /// notMNIST has them because some fonts draw a letter as a solid block (an all-white "I") or
  /// draw nothing at all.
  /// - Returns: indices in set order.
  public func blankImageIndices() -> [Int] {
    pixels.withUnsafeBufferPointer { pixels in
      (0..<count).filter { index in
        let start = index * Self.pixelsPerImage
        let first = pixels[start]
        return !pixels[start..<(start + Self.pixelsPerImage)].contains { $0 != first }
      }
    }
  }
}
