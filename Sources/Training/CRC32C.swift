/// The CRC-32C checksum (Castagnoli polynomial) used by TFRecord framing.
///
/// Computed byte by byte with a 256-entry table for the reflected polynomial `0x82F63B78`,
/// starting from `0xFFFFFFFF` and inverting the result, so `checksum("123456789") == 0xE3069283`.
public enum CRC32C {
  /// Returns the CRC-32C of `bytes`.
  /// - Parameter bytes: the data to check.
  /// - Returns: the checksum, not masked.
  public static func checksum(_ bytes: some Sequence<UInt8>) -> UInt32 {
    var crc: UInt32 = 0xFFFF_FFFF
    for byte in bytes {
      crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8)
    }
    return ~crc
  }

  /// Returns the masked form of a checksum that TFRecord files store.
  ///
  /// `masked(c) = ((c >> 15) | (c << 17)) + 0xA282EAD8` (wrapping), which keeps a CRC of data
  /// that itself holds CRCs from being trivially zero.
  /// - Parameter crc: a checksum from ``checksum(_:)``.
  /// - Returns: the masked checksum.
  public static func masked(_ crc: UInt32) -> UInt32 {
    ((crc >> 15) | (crc << 17)) &+ 0xA282_EAD8
  }

  /// The remainder of each byte value, for the reflected polynomial.
  private static let table: [UInt32] = (0..<256).map { index in
    var value = UInt32(index)
    for _ in 0..<8 {
      value = (value & 1) != 0 ? (value >> 1) ^ 0x82F6_3B78 : value >> 1
    }
    return value
  }
}
