import TensorCore

extension ImageSet {
  /// Writes the images at `indices`, each moved by a random whole-pixel shift, normalized, into
  /// a caller-owned `[N, 28, 28, 1]` buffer.
  ///
  /// Each image draws `dx` and `dy` uniformly from `-maxShift...maxShift`; pixel `(y, x)` of the
  /// output is pixel `(y - dy, x - dx)` of the image, and pixels shifted in from outside are
  /// background (byte 0). With `maxShift` 0 the output equals
  /// ``writeBatch(indices:into:normalization:)``.
  /// - Parameters:
  ///   - indices: the images of the batch, in batch order.
  ///   - buffer: room for at least `indices.count * 784` floats.
  ///   - maxShift: the largest shift in pixels along each axis, in `0...27`.
  ///   - normalization: how bytes become floats; default ``PixelNormalization/keras``.
  ///   - generator: the augmentation stream; advanced by two draws per image.
  /// - Precondition: every index is in range, the buffer is large enough and `maxShift` is in
  ///   `0...27`.
  public func writeShiftedBatch(
    indices: some Collection<Int>, into buffer: UnsafeMutableBufferPointer<Float>,
    maxShift: Int, normalization: PixelNormalization = .keras,
    using generator: inout SeededGenerator
  ) {
    precondition((0...27).contains(maxShift), "maxShift must be in 0...27, got \(maxShift)")
    precondition(
      buffer.count >= indices.count * Self.pixelsPerImage,
      "batch buffer holds \(buffer.count) floats, needs \(indices.count * Self.pixelsPerImage)")
    let table = normalization.table()
    let background = table[0]
    let side = Self.side
    let span = UInt64(2 * maxShift + 1)
    pixels.withUnsafeBufferPointer { source in
      var target = 0
      for index in indices {
        precondition(index >= 0 && index < count, "image index \(index) out of range 0..<\(count)")
        let dx = Int(generator.next() % span) - maxShift
        let dy = Int(generator.next() % span) - maxShift
        let start = index * Self.pixelsPerImage
        for y in 0..<side {
          let sourceY = y - dy
          for x in 0..<side {
            let sourceX = x - dx
            let inside = sourceY >= 0 && sourceY < side && sourceX >= 0 && sourceX < side
            buffer[target + y * side + x] =
              inside ? table[Int(source[start + sourceY * side + sourceX])] : background
          }
        }
        target += Self.pixelsPerImage
      }
    }
  }
}
