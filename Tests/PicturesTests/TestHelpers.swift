import CPNG
import Foundation
import Testing

@testable import Pictures

/// A fresh directory under the system's temporary directory, removed when released.
final class TemporaryDirectory {
  let url: URL

  init() throws {
    url = FileManager.default.temporaryDirectory
      .appendingPathComponent("pictures-tests-" + UUID().uuidString)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  }

  deinit {
    try? FileManager.default.removeItem(at: url)
  }

  func file(_ name: String) -> URL { url.appendingPathComponent(name) }
}

/// A PNG file decoded by libpng's simplified reader into 8-bit RGB, with its IHDR fields read
/// straight from the bytes.
struct DecodedPNG {
  var width: Int
  var height: Int
  var bitDepth: UInt8
  var colorType: UInt8
  var pixels: [UInt8]

  /// Checks the signature and that IHDR is the first chunk, then decodes with libpng.
  init(_ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) throws {
    let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
    try #require(bytes.count > 33, sourceLocation: sourceLocation)
    try #require(Array(bytes[0..<8]) == signature, sourceLocation: sourceLocation)
    try #require(Array(bytes[12..<16]) == Array("IHDR".utf8), sourceLocation: sourceLocation)
    func bigEndian(_ offset: Int) -> Int {
      bytes[offset..<(offset + 4)].reduce(0) { $0 << 8 | Int($1) }
    }
    width = bigEndian(16)
    height = bigEndian(20)
    bitDepth = bytes[24]
    colorType = bytes[25]

    var image = png_image()
    image.version = UInt32(PNG_IMAGE_VERSION)
    let began = bytes.withUnsafeBytes {
      png_image_begin_read_from_memory(&image, $0.baseAddress, $0.count)
    }
    try #require(began != 0, "libpng could not read the header", sourceLocation: sourceLocation)
    image.format = UInt32(PNG_FORMAT_RGB)
    var decoded = [UInt8](repeating: 0, count: 3 * Int(image.width) * Int(image.height))
    let finished = decoded.withUnsafeMutableBytes {
      png_image_finish_read(&image, nil, $0.baseAddress, 0, nil)
    }
    try #require(
      finished != 0, "libpng could not decode the pixels", sourceLocation: sourceLocation)
    pixels = decoded
  }
}

/// The standard font; every picture test needs it (scripts/setup.sh installs DejaVu Sans).
func standardFont() throws -> Font {
  try Font.standard()
}

extension Canvas {
  /// How many pixels inside `rect` (clipped) differ from `color`.
  func count(in rect: PixelRect, where predicate: (RGBColor) -> Bool) -> Int {
    let area = rect.intersection(bounds)
    var total = 0
    for y in area.y..<area.maxY {
      for x in area.x..<area.maxX where predicate(self[x, y]) { total += 1 }
    }
    return total
  }

  /// How many pixels of the whole canvas have exactly `color`.
  func count(of color: RGBColor) -> Int {
    count(in: bounds) { $0 == color }
  }
}
