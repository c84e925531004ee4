import TensorCore
import Testing

@testable import Datasets

@Suite struct ImageSetAugmentationTests {
  /// One image whose pixel (y, x) holds `y * 28 + x` modulo 251, plus 1 (never background).
  static func ramp() -> ImageSet {
    let pixels = (0..<784).map { UInt8($0 % 251 + 1) }
    return ImageSet(pixels: pixels, labels: [3], names: ["ramp"])
  }

  @Test func zeroShiftEqualsThePlainBatch() {
    let images = Self.ramp()
    var plain = [Float](repeating: 0, count: 784)
    var shifted = [Float](repeating: 0, count: 784)
    var generator = SeededGenerator(seed: 1)
    plain.withUnsafeMutableBufferPointer { images.writeBatch(indices: [0], into: $0) }
    shifted.withUnsafeMutableBufferPointer {
      images.writeShiftedBatch(indices: [0], into: $0, maxShift: 0, using: &generator)
    }
    #expect(plain == shifted)
  }

  @Test func shiftMovesPixelsAndFillsWithBackground() {
    let images = Self.ramp()
    let normalization = PixelNormalization(mean: 0, scale: 1)
    for seed in UInt64(0)..<20 {
      var generator = SeededGenerator(seed: seed)
      var probe = generator
      let dx = Int(probe.next() % 5) - 2
      let dy = Int(probe.next() % 5) - 2
      var output = [Float](repeating: -1, count: 784)
      output.withUnsafeMutableBufferPointer {
        images.writeShiftedBatch(
          indices: [0], into: $0, maxShift: 2, normalization: normalization, using: &generator)
      }
      for y in 0..<28 {
        for x in 0..<28 {
          let (sy, sx) = (y - dy, x - dx)
          let expected: Float =
            (0..<28).contains(sy) && (0..<28).contains(sx) ? Float((sy * 28 + sx) % 251 + 1) : 0
          #expect(output[y * 28 + x] == expected, "seed \(seed) at (\(y), \(x))")
        }
      }
      #expect(generator == probe, "two draws per image")
    }
  }
}
