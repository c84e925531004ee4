import CKernels
import TensorCore
import Testing

/// The C loops of dropout against a plain Swift statement of the same algorithm.
@Suite struct DropoutKernelTests {
  /// One xoshiro256++ generator per lane, stepped one word at a time.
  struct Lane {
    var s: [UInt64]

    mutating func next() -> UInt64 {
      func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }
      let result = rotl(s[0] &+ s[3], 23) &+ s[0]
      let t = s[1] << 17
      s[2] ^= s[0]
      s[3] ^= s[1]
      s[1] ^= s[2]
      s[0] ^= s[3]
      s[2] ^= t
      s[3] = rotl(s[3], 45)
      return result
    }
  }

  /// The keep bytes `dropout_draw` documents, element by element.
  static func expectedMask(seed: UInt64, count: Int, threshold: UInt64) -> [UInt8] {
    var mixer = seed
    func splitmix() -> UInt64 {
      mixer &+= 0x9E37_79B9_7F4A_7C15
      var z = mixer
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      return z ^ (z >> 31)
    }
    var lanes = (0..<8).map { _ in Lane(s: (0..<4).map { _ in splitmix() }) }
    var mask: [UInt8] = []
    while mask.count < count {
      let words = (0..<8).map { lanes[$0].next() }
      let high = words.map { ($0 >> 40) < threshold ? UInt8(1) : 0 }
      let low = words.map { (($0 >> 16) & 0xFF_FFFF) < threshold ? UInt8(1) : 0 }
      mask += high + low
    }
    return Array(mask.prefix(count))
  }

  @Test(arguments: [(7, 16_384, 13_421_773), (8, 1, 13_421_773), (9, 37, 8_388_608), (10, 100, 0)])
  func maskIsTheDocumentedStream(seed: UInt64, count: Int, threshold: UInt64) {
    var keep = [UInt8](repeating: 7, count: count + 16)
    dropout_draw(seed, &keep, count, threshold)

    #expect(
      Array(keep.prefix(count)) == Self.expectedMask(seed: seed, count: count, threshold: threshold)
    )
    #expect(keep.suffix(16).allSatisfy { $0 == 7 }, "nothing written past count")
  }

  @Test func maskKeepsAboutTheThresholdsShare() {
    var keep = [UInt8](repeating: 0, count: 16_384)
    dropout_draw(3, &keep, keep.count, 13_421_773)  // 0.8 · 2²⁴
    let kept = keep.reduce(0) { $0 + Int($1) }

    // Binomial(16384, 0.8): standard deviation 51.
    #expect(abs(kept - 13_107) < 260, "kept \(kept)")
  }

  static let values: [Float] = [
    1.5, -2.25, 0, -0.0, .infinity, -.infinity, .nan, Float(bitPattern: 0x0001_0000), 3.0039062,
    3.0117188, 65_504, -7.5,
    0.1, 1e30, -1e-30, 2.5, 0.3,
  ]

  @Test func f32ProductsAreExact() {
    let keep = Self.values.indices.map { UInt8($0 % 3 == 0 ? 0 : 1) }
    var out = [Float](repeating: 9, count: Self.values.count)
    dropout_apply_f32(Self.values, &out, keep, Self.values.count, 1.25)

    for (i, x) in Self.values.enumerated() {
      let expected = x * (keep[i] == 1 ? 1.25 : 0)
      #expect(out[i].bitPattern == expected.bitPattern || (out[i].isNaN && expected.isNaN), "\(i)")
    }
  }

  @Test func bf16ProductsAreRoundedOnce() {
    let bits = Self.values.map { BFloat16.bits($0) } + [0x7F81, 0xFFC1, 0x4040, 0x4041]
    let keep = bits.indices.map { UInt8($0 % 4 == 1 ? 0 : 1) }
    var out = [UInt16](repeating: 9, count: bits.count)
    dropout_apply_bf16(bits, &out, keep, bits.count, 1.25)

    for (i, b) in bits.enumerated() {
      let expected = BFloat16.bits(BFloat16.float(b) * (keep[i] == 1 ? 1.25 : 0))
      #expect(out[i] == expected, "\(i): \(String(b, radix: 16))")
    }
  }

  /// In place (`to` is `from`), over a length with a tail shorter than a vector: the products
  /// equal those written to a separate buffer.
  @Test func applyWorksInPlace() {
    var generator = SeededGenerator(seed: 5)
    let count = 1_037
    let values = (0..<count).map { _ in generator.nextUnitFloat() * 8 - 4 }
    let keep = (0..<count).map { _ in UInt8(generator.next() % 5 == 0 ? 0 : 1) }
    let expected = zip(values, keep).map { $0 * ($1 == 1 ? 1.25 : 0) }
    var data = values
    data.withUnsafeMutableBufferPointer { p in
      dropout_apply_f32(p.baseAddress!, p.baseAddress!, keep, count, 1.25)
    }
    #expect(data.map(\.bitPattern) == expected.map(\.bitPattern))

    let bits = values.map { BFloat16.bits($0) }
    var narrow = bits
    narrow.withUnsafeMutableBufferPointer { p in
      dropout_apply_bf16(p.baseAddress!, p.baseAddress!, keep, count, 1.25)
    }
    let narrowExpected = zip(bits, keep).map {
      BFloat16.bits(BFloat16.float($0) * ($1 == 1 ? 1.25 : 0))
    }
    #expect(narrow == narrowExpected)
  }

}
