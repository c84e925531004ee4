import Testing

@testable import Training

@Suite struct CRC32CTests {
  struct Vector: Sendable, CustomStringConvertible {
    let description: String
    let bytes: [UInt8]
    let crc: UInt32
  }

  // The check value of the CRC-32C catalogue entry and the iSCSI vectors of RFC 3720, B.4.
  static let vectors: [Vector] = [
    Vector(description: "empty", bytes: [], crc: 0),
    Vector(description: "123456789", bytes: Array("123456789".utf8), crc: 0xE306_9283),
    Vector(description: "32 zeros", bytes: [UInt8](repeating: 0, count: 32), crc: 0x8A91_36AA),
    Vector(description: "32 ones", bytes: [UInt8](repeating: 0xFF, count: 32), crc: 0x62A8_AB43),
    Vector(description: "0 to 31", bytes: (0..<32).map { UInt8($0) }, crc: 0x46DD_794E),
    Vector(description: "31 to 0", bytes: (0..<32).reversed().map { UInt8($0) }, crc: 0x113F_DB5C),
  ]

  @Test(arguments: vectors)
  func checksumMatchesPublishedVectors(_ vector: Vector) {
    #expect(CRC32C.checksum(vector.bytes) == vector.crc)
  }

  @Test func maskRotatesRightBy15AndAddsTheConstant() {
    #expect(CRC32C.masked(0) == 0xA282_EAD8)
    #expect(CRC32C.masked(0xE306_9283) == 0xC78A_B0E5)
    #expect(CRC32C.masked(0xFFFF_FFFF) == 0xA282_EAD7)
  }
}
