import TensorCore
import Testing

@Suite struct BFloat16Tests {
  struct Case: Sendable, CustomStringConvertible {
    var description: String
    var value: Float
    var bits: UInt16
  }

  static let cases: [Case] = [
    Case(description: "exact", value: 1.5, bits: 0x3FC0),
    Case(
      description: "rounds down below half", value: Float(bitPattern: 0x3F80_7FFF), bits: 0x3F80),
    Case(description: "rounds up above half", value: Float(bitPattern: 0x3F80_8001), bits: 0x3F81),
    Case(description: "tie to even stays", value: Float(bitPattern: 0x3F80_8000), bits: 0x3F80),
    Case(description: "tie to even goes up", value: Float(bitPattern: 0x3F81_8000), bits: 0x3F82),
    Case(description: "overflow to infinity", value: Float(bitPattern: 0x7F7F_FFFF), bits: 0x7F80),
    Case(description: "negative", value: -2, bits: 0xC000),
  ]

  @Test(arguments: cases)
  func narrowingRoundsToNearestEven(_ c: Case) {
    #expect(BFloat16.bits(c.value) == c.bits)
    var lanes = SIMD8<Float>(repeating: 0)
    lanes[3] = c.value
    #expect(BFloat16.bits(lanes)[3] == c.bits)
  }

  @Test func wideningIsExact() {
    #expect(BFloat16.float(0x3FC0) == 1.5)
    #expect(BFloat16.float(SIMD8<UInt16>(repeating: 0xC000)) == SIMD8<Float>(repeating: -2))
  }

  @Test func nanStaysNaN() {
    let payload = Float(bitPattern: 0x7F80_0001)
    #expect(BFloat16.float(BFloat16.bits(payload)).isNaN)
    #expect(BFloat16.float(BFloat16.bits(SIMD8<Float>(repeating: payload)))[0].isNaN)
  }
}
