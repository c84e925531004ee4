import CPNG
import Foundation
import TensorCore

extension Canvas {
  /// Encodes the canvas as an 8-bit RGB PNG (colour type 2, no interlace) with libpng's
  /// simplified API (`png_image_write_to_memory`), which reports errors instead of jumping.
  /// - Returns: the complete PNG file.
  /// - Throws: ``PicturesError/pngEncodingFailed(width:height:message:)`` with libpng's message.
  public func pngData() throws(PicturesError) -> [UInt8] {
    var image = png_image()
    image.version = UInt32(PNG_IMAGE_VERSION)
    image.width = UInt32(width)
    image.height = UInt32(height)
    image.format = UInt32(PNG_FORMAT_RGB)
    let rowStride = Int32(3 * width)

    // The first call, with no buffer, asks libpng for an upper bound on the size.
    var size = png_alloc_size_t(0)
    let sized = pixels.withUnsafeBytes { source in
      png_image_write_to_memory(&image, nil, &size, 0, source.baseAddress, rowStride, nil)
    }
    guard sized != 0, size > 0 else { throw encodingError(&image) }

    var output = [UInt8](repeating: 0, count: Int(size))
    let written = output.withUnsafeMutableBytes { target in
      pixels.withUnsafeBytes { source in
        png_image_write_to_memory(
          &image, target.baseAddress, &size, 0, source.baseAddress, rowStride, nil)
      }
    }
    guard written != 0 else { throw encodingError(&image) }
    output.removeSubrange(Int(size)...)
    return output
  }

  /// Writes the canvas as a PNG file, atomically: the bytes go to a temporary file beside `url`,
  /// which is flushed and renamed over it, so readers never see a partial picture.
  /// - Parameter url: a file URL whose directory exists.
  /// - Throws: ``PicturesError/pngEncodingFailed(width:height:message:)`` or
  ///   ``PicturesError/io(path:operation:reason:)`` naming the failed call and path.
  public func writePNG(to url: URL) throws(PicturesError) {
    let bytes = try pngData()
    do {
      try AtomicFile.write(bytes, to: url)
    } catch {
      switch error {
      case .io(let path, let operation, let reason):
        throw .io(path: path, operation: operation, reason: reason)
      }
    }
  }

  /// Builds the error for a failed libpng call from the image's message and frees its state.
  private func encodingError(_ image: inout png_image) -> PicturesError {
    let message = withUnsafeBytes(of: image.message) { raw in
      String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
    }
    png_image_free(&image)
    return .pngEncodingFailed(width: width, height: height, message: message)
  }
}
