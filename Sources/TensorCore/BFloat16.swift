/// Conversions between `Float` and bfloat16 bit patterns.
///
/// A bfloat16 is the upper 16 bits of an IEEE 754 single: 1 sign bit, 8 exponent bits, 7
/// mantissa bits. Widening appends 16 zero bits and is exact; narrowing rounds to nearest, ties
/// to even, and keeps every NaN a (quiet) NaN.
public enum BFloat16 {
  /// The `Float` a bfloat16 bit pattern stands for (exact).
  /// - Parameter bits: the 16-bit pattern.
  /// - Returns: the value, exactly.
  @inlinable
  public static func float(_ bits: UInt16) -> Float {
    Float(bitPattern: UInt32(bits) << 16)
  }

  /// The bfloat16 bit pattern nearest to `value` (ties to even; NaN stays NaN).
  /// - Parameter value: any `Float`.
  /// - Returns: the rounded 16-bit pattern.
  @inlinable
  public static func bits(_ value: Float) -> UInt16 {
    let b = value.bitPattern
    if b & 0x7FFF_FFFF > 0x7F80_0000 { return UInt16(truncatingIfNeeded: b >> 16) | 0x40 }
    let rounding = 0x7FFF &+ ((b >> 16) & 1)
    return UInt16(truncatingIfNeeded: (b &+ rounding) >> 16)
  }

  /// ``float(_:)`` on eight lanes.
  /// - Parameter bits: eight 16-bit patterns.
  /// - Returns: the eight values, exactly.
  @inlinable
  public static func float(_ bits: SIMD8<UInt16>) -> SIMD8<Float> {
    unsafeBitCast(SIMD8<UInt32>(truncatingIfNeeded: bits) &<< 16, to: SIMD8<Float>.self)
  }

  /// ``bits(_:)`` on eight lanes.
  /// - Parameter value: eight `Float`s.
  /// - Returns: the eight rounded 16-bit patterns.
  @inlinable
  public static func bits(_ value: SIMD8<Float>) -> SIMD8<UInt16> {
    let b = unsafeBitCast(value, to: SIMD8<UInt32>.self)
    let rounding = 0x7FFF &+ ((b &>> 16) & 1)
    let rounded = (b &+ rounding) &>> 16
    let quieted = (b &>> 16) | 0x40
    // All ones in the NaN lanes: 0x7F800000 - |b| wraps to a value with the top bit set exactly
    // when |b| > 0x7F800000. Integer selects, since `replacing(with:where:)` is not vectorized
    // (measured 15 times slower).
    let nan = SIMD8<UInt32>() &- ((0x7F80_0000 &- (b & 0x7FFF_FFFF)) &>> 31)
    return SIMD8<UInt16>(truncatingIfNeeded: (rounded & ~nan) | (quieted & nan))
  }
}
