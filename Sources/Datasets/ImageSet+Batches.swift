extension ImageSet {
  /// Writes the images at `indices`, normalized, into a caller-owned `[N, 28, 28, 1]` buffer.
  ///
  /// `buffer[n * 784 + y * 28 + x] = normalization.apply(pixel(indices[n], y, x))`, so a batch
  /// costs one table lookup per pixel and no allocation.
  /// - Parameters:
  ///   - indices: the images of the batch, in batch order (`N = indices.count`).
  ///   - buffer: room for at least `N * 784` floats.
  ///   - normalization: how bytes become floats; default ``PixelNormalization/keras``.
  /// - Precondition: every index is in range and the buffer is large enough.
  public func writeBatch(
    indices: some Collection<Int>, into buffer: UnsafeMutableBufferPointer<Float>,
    normalization: PixelNormalization = .keras
  ) {
    precondition(
      buffer.count >= indices.count * Self.pixelsPerImage,
      "batch buffer holds \(buffer.count) floats, needs \(indices.count * Self.pixelsPerImage)")
    let table = normalization.table()
    table.withUnsafeBufferPointer { lookup in
      pixels.withUnsafeBufferPointer { source in
        var target = 0
        for index in indices {
          precondition(
            index >= 0 && index < count, "image index \(index) out of range 0..<\(count)")
          let start = index * Self.pixelsPerImage
          for offset in 0..<Self.pixelsPerImage {
            buffer[target + offset] = lookup[Int(source[start + offset])]
          }
          target += Self.pixelsPerImage
        }
      }
    }
  }

  /// Writes the images at `indices`, normalized, into `buffer` (`[N, 28, 28, 1]`, resized to
  /// exactly `N * 784` floats).
  /// - Parameters:
  ///   - indices: the images of the batch, in batch order.
  ///   - buffer: replaced by the batch.
  ///   - normalization: how bytes become floats; default ``PixelNormalization/keras``.
  public func writeBatch(
    indices: some Collection<Int>, into buffer: inout [Float],
    normalization: PixelNormalization = .keras
  ) {
    let needed = indices.count * Self.pixelsPerImage
    if buffer.count != needed { buffer = [Float](repeating: 0, count: needed) }
    buffer.withUnsafeMutableBufferPointer {
      writeBatch(indices: indices, into: $0, normalization: normalization)
    }
  }

  /// The labels of the images at `indices`, as `Int` class numbers 0...9.
  /// - Parameter indices: positions in `0..<count`.
  /// - Returns: one label per index, in index order.
  public func labels(at indices: some Collection<Int>) -> [Int] {
    indices.map { Int(labels[$0]) }
  }
}
