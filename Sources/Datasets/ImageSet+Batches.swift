import TensorCore

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

  /// The images at `indices` as a normalized `[N, 28, 28, 1]` tensor.
  ///
  /// Allocates a new tensor; a training loop that reuses one buffer should call
  /// ``writeBatch(indices:into:normalization:)`` instead.
  /// - Parameters:
  ///   - indices: the images of the batch, in batch order.
  ///   - normalization: how bytes become floats; default ``PixelNormalization/keras``.
  /// - Returns: a tensor of shape `[indices.count, 28, 28, 1]`.
  public func batchTensor(
    indices: some Collection<Int>, normalization: PixelNormalization = .keras
  ) -> Tensor {
    var scalars: [Float] = []
    writeBatch(indices: indices, into: &scalars, normalization: normalization)
    return Tensor(shape: [indices.count, Self.side, Self.side, 1], scalars: scalars)
  }

  /// The labels of the images at `indices`, as `Int` class numbers 0...9.
  /// - Parameter indices: positions in `0..<count`.
  /// - Returns: one label per index, in index order.
  public func labels(at indices: some Collection<Int>) -> [Int] {
    indices.map { Int(labels[$0]) }
  }
}
