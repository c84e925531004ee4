#if canImport(Glibc)
  import Glibc
#endif

import CPNGShim

/// Decodes PNG files into 28x28 8-bit grayscale pixels, exactly as Pillow's `convert("L")`.
///
/// libpng (through the `CPNGShim` C target) checks and decodes the file: the signature, every
/// chunk's CRC, the `IHDR` fields, the zlib stream and its Adler-32 checksum, the row filters
/// and Adam7 interlacing. It hands back the raw samples, and this type turns them into one byte
/// per pixel the way Pillow does it:
/// ```
/// RGB, RGBA, palette:  L = (19595 R + 38470 G + 7471 B + 32768) >> 16   (ITU-R 601-2 luma)
/// 1/2/4-bit gray:      L = v * 255 / (2^depth - 1)
/// 16-bit gray:         L = min(v, 255)            (Pillow clips mode I;16 to L)
/// 16-bit RGB, GA, RGBA: the high byte of each sample, then as above
/// ```
/// Every colour type and bit depth is read (gray 1/2/4/8/16-bit, gray+alpha, palette
/// 1/2/4/8-bit, RGB and RGBA 8/16-bit, interlaced or not). Alpha and `tRNS` are dropped, not
/// composited; `gAMA`, `sRGB` and `iCCP` are skipped, as in Pillow. A palette index past the end
/// of the palette gives black, as in Pillow. A file that fails is reported as a ``SkipReason``,
/// never decoded into a black image.
///
/// Which damaged files are rejected follows Pillow where libpng allows it: a CRC error in an
/// ancillary chunk rejects the file before the image data and is ignored after it; invalid
/// ancillary chunks, a `PLTE` in a gray image, an `IEND` with a body and bytes after `IEND` are
/// ignored. Stricter than Pillow: a missing `IEND`, a CRC error in a critical chunk (`IDAT` and
/// `IEND` included), a palette image without `PLTE`, and zlib data left over after the image's
/// rows reject the file.
///
/// One decoder keeps its scratch memory between calls, so decode many images with one instance
/// per thread. It is not `Sendable`.
///
/// - Note: Images other than 28x28 are skipped (``SkipReason/wrongSize(width:height:)``), not
///   resized.
public final class PNGDecoder {
  /// The result of decoding one file.
  public enum Outcome: Equatable, Sendable {
    /// The 784 gray pixels, row-major.
    case image([UInt8])
    /// Why the file cannot be used.
    case skipped(SkipReason)
  }

  /// The largest decoded row of a 28-pixel-wide image: RGBA at 16 bits.
  private static let maximumRowBytes = 28 * 4 * 2
  private let image: UnsafeMutablePointer<png_shim_image>
  private let samples: UnsafeMutableBufferPointer<UInt8>
  private var paletteLuma: [UInt8]

  /// Creates a decoder with its own scratch memory.
  public init() {
    image = UnsafeMutablePointer<png_shim_image>.allocate(capacity: 1)
    image.initialize(to: png_shim_image())
    samples = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: 28 * Self.maximumRowBytes)
    samples.initialize(repeating: 0)
    paletteLuma = [UInt8](repeating: 0, count: 256)
  }

  deinit {
    image.deinitialize(count: 1)
    image.deallocate()
    samples.deallocate()
  }

  /// Reads and decodes one PNG file from disk.
  ///
  /// Devices and FIFOs are refused without being opened, and a file larger than
  /// ``SourceLoader/maxImageFileBytes`` is skipped unread, as in a folder source.
  /// - Parameter path: the file.
  /// - Returns: the 784 gray pixels, or why the file is skipped.
  /// - Throws: `DatasetError.fileNotFound`, `.notRegularFile` or `.unreadable`.
  public func decodeFile(atPath path: String) throws(DatasetError) -> Outcome {
    var status = stat()
    if stat(path, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG,
      Int(status.st_size) > SourceLoader.maxImageFileBytes
    {
      return .skipped(.tooLarge(bytes: Int(status.st_size)))
    }
    return decode(try FileIO.read(path))
  }

  /// Decodes one PNG file.
  /// - Parameter bytes: the whole file.
  /// - Returns: the 784 gray pixels, or why the file is skipped.
  public func decode(_ bytes: [UInt8]) -> Outcome {
    var output = [UInt8](repeating: 0, count: ImageSet.pixelsPerImage)
    let reason = bytes.withUnsafeBytes { data in
      output.withUnsafeMutableBufferPointer { decode(data, into: $0) }
    }
    if let reason { return .skipped(reason) }
    return .image(output)
  }

  /// Decodes one PNG file into caller-owned memory.
  /// - Parameters:
  ///   - data: the whole file.
  ///   - output: room for 784 bytes; filled row-major when decoding succeeds.
  /// - Returns: `nil` on success, or why the file is skipped (then `output` is unspecified).
  /// - Precondition: `output` holds at least 784 bytes.
  public func decode(
    _ data: UnsafeRawBufferPointer, into output: UnsafeMutableBufferPointer<UInt8>
  ) -> SkipReason? {
    precondition(output.count >= ImageSet.pixelsPerImage, "PNG output needs 784 bytes")
    if data.isEmpty { return .empty }

    let status = png_shim_decode(
      data.baseAddress, data.count, 28, 28, samples.baseAddress, samples.count, image)
    switch status {
    case PNG_SHIM_OK:
      convertSamples(into: output)
      return nil
    case PNG_SHIM_NOT_PNG:
      return .notPNG
    case PNG_SHIM_TRUNCATED:
      return .truncated
    case PNG_SHIM_WRONG_SIZE:
      return .wrongSize(width: Int(image.pointee.width), height: Int(image.pointee.height))
    case PNG_SHIM_CORRUPT:
      return .corrupt(failureMessage())
    case PNG_SHIM_OUT_OF_MEMORY:
      // Swift traps when an allocation fails; a failed libpng allocation is treated alike.
      fatalError("libpng could not allocate memory for a PNG reader")
    default:
      // 28 rows of at most `maximumRowBytes` always fit in `samples`.
      fatalError("PNG shim status \(status.rawValue) for a 28x28 image")
    }
  }

  // MARK: - Messages

  /// libpng's error, followed by its first warning when there was one (libpng explains a bad
  /// `IHDR` field in a warning and then fails with "Invalid IHDR data").
  private func failureMessage() -> String {
    let error = message(\.message)
    let warning = message(\.warning)
    return warning.isEmpty ? error : "\(error) (\(warning))"
  }

  /// One of the shim's NUL-terminated `char` arrays as a string.
  private func message(_ field: PartialKeyPath<png_shim_image>) -> String {
    guard let offset = MemoryLayout<png_shim_image>.offset(of: field) else { return "" }
    let characters = (UnsafeRawPointer(image) + offset).assumingMemoryBound(to: CChar.self)
    return String(cString: characters)
  }

  // MARK: - Convert

  /// Turns the raw samples of a decoded 28x28 image into Pillow's `L` pixels.
  private func convertSamples(into output: UnsafeMutableBufferPointer<UInt8>) {
    let colorType = Int(image.pointee.color_type)
    let depth = Int(image.pointee.bit_depth)
    let rowBytes = image.pointee.row_bytes
    if colorType == 0 && depth == 8 {
      // The common notMNIST case: the samples already are the output.
      output.baseAddress!.update(from: samples.baseAddress!, count: ImageSet.pixelsPerImage)
      return
    }

    if colorType == 3 { fillPaletteLuma() }
    let sampleBytes = depth == 16 ? 2 : 1
    let pixelBytes = Int(image.pointee.channels) * sampleBytes
    for y in 0..<28 {
      let row = samples.baseAddress! + y * rowBytes
      for x in 0..<28 {
        output[y * 28 + x] = gray(
          of: row + x * pixelBytes, colorType: colorType, depth: depth, sampleBytes: sampleBytes)
      }
    }
  }

  /// The `L` value of one pixel whose first sample byte is at `pixel`.
  @inline(__always)
  private func gray(
    of pixel: UnsafeMutablePointer<UInt8>, colorType: Int, depth: Int, sampleBytes: Int
  ) -> UInt8 {
    switch colorType {
    case 0:
      if depth == 16 { return UInt8(min(Int(pixel[0]) << 8 | Int(pixel[1]), 255)) }
      // libpng unpacks 1/2/4-bit samples without scaling them.
      return UInt8(Int(pixel[0]) * (255 / ((1 << depth) - 1)))
    case 3:
      let index = Int(pixel[0])
      return index < Int(image.pointee.palette_count) ? paletteLuma[index] : 0
    case 4:
      return pixel[0]
    default:
      return luma(pixel[0], pixel[sampleBytes], pixel[2 * sampleBytes])
    }
  }

  private func fillPaletteLuma() {
    withUnsafeBytes(of: image.pointee.palette) { rgb in
      for i in 0..<Int(image.pointee.palette_count) {
        paletteLuma[i] = luma(rgb[3 * i], rgb[3 * i + 1], rgb[3 * i + 2])
      }
    }
  }
}

/// ITU-R 601-2 luma in Pillow's fixed-point form.
@inline(__always)
func luma(_ r: UInt8, _ g: UInt8, _ b: UInt8) -> UInt8 {
  let red = Int(r) * 19595
  let green = Int(g) * 38470
  let blue = Int(b) * 7471
  return UInt8((red + green + blue + 0x8000) >> 16)
}
