import CPNG
import Foundation
import Testing

@testable import Datasets

extension FontFixtures {
  /// Decodes an 8-bit gray PNG with libpng's simplified API.
  static func decodeGrayPNG(_ data: Data) -> (width: Int, height: Int, pixels: [UInt8])? {
    var image = png_image()
    image.version = png_uint_32(PNG_IMAGE_VERSION)
    let begun = data.withUnsafeBytes { raw in
      png_image_begin_read_from_memory(&image, raw.baseAddress, raw.count)
    }
    guard begun != 0 else { return nil }
    image.format = png_uint_32(PNG_FORMAT_GRAY)
    var pixels = [UInt8](repeating: 0, count: Int(image.width * image.height))
    let finished = pixels.withUnsafeMutableBytes { raw in
      png_image_finish_read(&image, nil, raw.baseAddress, 0, nil)
    }
    guard finished != 0 else { return nil }
    return (Int(image.width), Int(image.height), pixels)
  }
}

@Suite struct PNGEncoderTests {
  static let gradient: [UInt8] = (0..<(28 * 20)).map { UInt8(($0 * 7) % 256) }

  @Test func decodesToTheSamePixels() throws {
    let png = try PNGEncoder().encode(Self.gradient, width: 28, height: 20)
    let decoded = try #require(FontFixtures.decodeGrayPNG(png))
    #expect(decoded.width == 28)
    #expect(decoded.height == 20)
    #expect(decoded.pixels == Self.gradient)
  }

  @Test func writesAnEightBitGrayHeader() throws {
    let png = try PNGEncoder().encode(Self.gradient, width: 28, height: 20)
    let bytes = [UInt8](png)
    #expect(Array(bytes[0..<8]) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
    #expect(String(decoding: bytes[12..<16], as: UTF8.self) == "IHDR")
    #expect(Array(bytes[16..<24]) == [0, 0, 0, 28, 0, 0, 0, 20])
    // Bit depth 8, colour type 0 (grayscale).
    #expect(bytes[24] == 8)
    #expect(bytes[25] == 0)
  }

  @Test func sameImageGivesTheSameBytes() throws {
    let first = try PNGEncoder().encode(Self.gradient, width: 28, height: 20)
    let second = try PNGEncoder().encode(Self.gradient, width: 28, height: 20)
    #expect(first == second)
  }
}
