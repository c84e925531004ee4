import CPNG
import Foundation

/// Encodes 8-bit grayscale images as PNG files with libpng's simplified API.
///
/// The output is a plain 8-bit gray PNG (colour type 0), as the notMNIST archives hold, so any
/// PNG reader decodes it to the same bytes. Encoding is deterministic: the same pixels always give
/// the same file.
public struct PNGEncoder: Sendable {
  /// Creates an encoder.
  public init() {}

  /// Encodes `pixels`, row by row, as an 8-bit grayscale PNG.
  ///
  /// - Parameters:
  ///   - pixels: `width * height` bytes, row-major, 0 black to 255 white.
  ///   - width: image width in pixels.
  ///   - height: image height in pixels.
  /// - Returns: the PNG file's bytes.
  /// - Throws: `RenderError.pngEncoding` with libpng's message when it refuses the image.
  /// - Precondition: `pixels.count == width * height` and both sides are positive.
  public func encode(_ pixels: [UInt8], width: Int, height: Int) throws(RenderError) -> Data {
    precondition(
      width > 0 && height > 0, "PNGEncoder needs a positive size, got \(width)x\(height)")
    precondition(
      pixels.count == width * height,
      "PNGEncoder expects \(width * height) pixels for \(width)x\(height), got \(pixels.count)")

    var image = png_image()
    image.version = png_uint_32(PNG_IMAGE_VERSION)
    image.width = png_uint_32(width)
    image.height = png_uint_32(height)
    image.format = png_uint_32(PNG_FORMAT_GRAY)

    // The first call with no buffer asks libpng for the size it needs.
    var size = 0
    let sized = pixels.withUnsafeBytes { raw in
      png_image_write_to_memory(&image, nil, &size, 0, raw.baseAddress, png_int_32(width), nil)
    }
    guard sized != 0, size > 0 else { throw .pngEncoding(Self.message(of: &image)) }

    var output = [UInt8](repeating: 0, count: size)
    let written = pixels.withUnsafeBytes { raw in
      output.withUnsafeMutableBytes { out in
        png_image_write_to_memory(
          &image, out.baseAddress, &size, 0, raw.baseAddress, png_int_32(width), nil)
      }
    }
    png_image_free(&image)
    guard written != 0 else { throw .pngEncoding(Self.message(of: &image)) }
    return Data(output.prefix(size))
  }

  /// libpng's error text from a failed simplified-API call.
  private static func message(of image: inout png_image) -> String {
    withUnsafeBytes(of: &image.message) { raw in
      let bytes = raw.prefix { $0 != 0 }
      return String(decoding: bytes, as: UTF8.self)
    }
  }
}
