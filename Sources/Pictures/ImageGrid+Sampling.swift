import TensorCore

extension ImageGrid {
  /// A grid of `count` images drawn at random, without repeats, from a whole data set, each
  /// labelled with its letter: the quick look that shows how dirty the data is.
  ///
  /// The images are picked by a partial Fisher–Yates shuffle driven by `generator`, so the same
  /// seed picks the same images; they are shown in the order drawn.
  /// - Parameters:
  ///   - pixels: `[n, 28, 28]` bytes, all images back to back (as an IDX file stores them).
  ///   - labels: `n` class indices, 0 ..< letters.count.
  ///   - count: how many images to show; fewer when the data set is smaller.
  ///   - letters: the class names; "A" ... "J" by default.
  ///   - title: the title; "Random training glyphs" by default.
  ///   - columns: images per row; 10 by default.
  ///   - generator: the seeded generator; advanced by `min(count, n)` draws.
  /// - Returns: the grid, 3x scale.
  /// - Precondition: `pixels.count == 784 * labels.count`, every label indexes `letters`, and
  ///   `count >= 0`.
  public static func randomSample(
    pixels: [UInt8], labels: [Int], count: Int, letters: [String] = Heatmap.letters,
    title: String? = "Random training glyphs", columns: Int = 10,
    using generator: inout SeededGenerator
  ) -> ImageGrid {
    let side = 28
    precondition(
      pixels.count == side * side * labels.count,
      "randomSample needs \(side * side) bytes per label: \(pixels.count) bytes for "
        + "\(labels.count) labels")
    precondition(count >= 0, "randomSample count must be >= 0, got \(count)")
    precondition(
      labels.allSatisfy { letters.indices.contains($0) },
      "randomSample labels must be in 0..<\(letters.count)")

    var order = Array(labels.indices)
    let chosen = min(count, order.count)
    for i in 0..<chosen {
      let j = i + Int(generator.next(upperBound: UInt64(order.count - i)))
      order.swapAt(i, j)
    }
    let picked = order.prefix(chosen)
    return ImageGrid(
      images: picked.map { Array(pixels[($0 * side * side)..<(($0 + 1) * side * side)]) },
      labels: picked.map { letters[labels[$0]] }, title: title, imageSide: side, columns: columns)
  }
}
