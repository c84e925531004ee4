import CZlib

/// Decodes PNG files into 28x28 8-bit grayscale pixels, exactly as Pillow's `convert("L")`.
///
/// Every PNG colour type and bit depth is read (gray 1/2/4/8/16-bit, gray+alpha, palette
/// 1/2/4/8-bit, RGB and RGBA 8/16-bit, Adam7 interlaced or not) and turned into one byte per
/// pixel the way Pillow does it:
/// ```
/// RGB, RGBA, palette:  L = (19595 R + 38470 G + 7471 B + 32768) >> 16   (ITU-R 601-2 luma)
/// 1/2/4-bit gray:      L = v * 255 / (2^depth - 1)
/// 16-bit gray:         L = min(v, 255)            (Pillow clips mode I;16 to L)
/// 16-bit RGB, GA, RGBA: the high byte of each sample, then as above
/// ```
/// Alpha and `tRNS` are dropped, not composited; `gAMA`, `sRGB` and `iCCP` are ignored, as in
/// Pillow. Every chunk's CRC, the `IHDR` fields, the zlib stream and its checksum are checked;
/// a file that fails is reported as a ``SkipReason``, never decoded into a black image.
///
/// One decoder keeps its zlib state and scratch memory between calls, so decode many images
/// with one instance per thread. It is not `Sendable`.
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

  // Note: libpng is not used for decoding. Its only API that reports errors as values (the
  // simplified `png_image_*` API) applies gAMA chunks, assumes 16-bit data is linear and
  // premultiplies 16-bit alpha, so it cannot reproduce Pillow's pixels: on the test fixtures,
  // even read as RGBA and converted with Pillow's luma, it differs from Pillow on every 16-bit
  // file and on the gAMA one (327 of 784 pixels). Its other API reports errors by longjmp,
  // which Swift cannot catch. PNG's own structure is small, so it is parsed here and only the
  // deflate stream goes to zlib, which returns errors as values.
  private let stream: UnsafeMutablePointer<z_stream>
  private var isStreamReady = false
  private var raw: [UInt8]
  private var palette: [UInt8]

  /// Creates a decoder with its own zlib state.
  public init() {
    stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
    stream.initialize(to: z_stream())
    raw = [UInt8](repeating: 0, count: 8192)
    palette = [UInt8](repeating: 0, count: 256)
  }

  deinit {
    if isStreamReady { inflateEnd(stream) }
    stream.deinitialize(count: 1)
    stream.deallocate()
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
    guard data.count >= 8, data.prefix(8).elementsEqual(pngSignature) else { return .notPNG }

    var offset = 8
    let info: PNGHeader
    switch readHeader(data, offset: &offset) {
    case .fault(let reason): return reason
    case .header(let parsed): info = parsed
    }

    var paletteCount = 0
    var inflater = Inflater(expected: info.rawByteCount)
    var hasImageData = false
    while true {
      let type: UInt32
      let body: UnsafeRawBufferPointer
      switch nextChunk(data, offset: &offset) {
      case .fault(let reason): return reason
      case .chunk(let chunkType, let chunkBody): (type, body) = (chunkType, chunkBody)
      }
      switch type {
      case chunkPLTE:
        guard body.count % 3 == 0, body.count / 3 >= 1, body.count / 3 <= 256 else {
          return .corrupt("PLTE chunk of \(body.count) bytes")
        }
        paletteCount = body.count / 3
        fillPaletteLuma(body, count: paletteCount)
      case chunkIDAT:
        if info.colorType == 3 && paletteCount == 0 { return .corrupt("IDAT before PLTE") }
        if !hasImageData {
          guard startImageData(info) else { return .corrupt("zlib could not start") }
          hasImageData = true
        }
        if let reason = feed(body, to: &inflater) { return reason }
      case chunkIEND:
        guard hasImageData else { return .corrupt("no IDAT chunk") }
        guard inflater.produced == info.rawByteCount else {
          return .corrupt(
            "image data ends early (\(inflater.produced) of \(info.rawByteCount) bytes)")
        }
        guard inflater.isStreamEnded else { return .corrupt("zlib stream ends early") }
        return unfilterAndConvert(info, paletteCount: paletteCount, into: output)
      default:
        // A critical chunk (upper-case first letter) that is not understood makes the image
        // unreadable; ancillary chunks (tRNS, gAMA, tEXt, ...) do not change Pillow's L pixels.
        if type & 0x2000_0000 == 0 { return .corrupt("unknown critical chunk \(chunkName(type))") }
      }
    }
  }

  // MARK: - Chunks

  /// One chunk, or why the file cannot be read further.
  private enum ChunkRead {
    case chunk(type: UInt32, body: UnsafeRawBufferPointer)
    case fault(SkipReason)
  }

  /// Reads the chunk at `offset` (length, type, body, CRC), checks its CRC and moves past it.
  private func nextChunk(_ data: UnsafeRawBufferPointer, offset: inout Int) -> ChunkRead {
    guard offset + 12 <= data.count else { return .fault(.truncated) }
    let length = Int(readUInt32(data, offset))
    let type = readUInt32(data, offset + 4)
    guard length <= 0x7FFF_FFFF, offset + 12 + length <= data.count else {
      return .fault(.truncated)
    }
    let body = UnsafeRawBufferPointer(rebasing: data[(offset + 8)..<(offset + 8 + length)])
    let crc = crc32(0, data.baseAddress! + offset + 4, uInt(length + 4))
    guard UInt32(crc) == readUInt32(data, offset + 8 + length) else {
      return .fault(.corrupt("CRC mismatch in \(chunkName(type)) chunk at byte \(offset)"))
    }
    offset += 12 + length
    return .chunk(type: type, body: body)
  }

  /// Reads the first chunk, which must be a valid `IHDR` of a 28x28 image.
  private func readHeader(_ data: UnsafeRawBufferPointer, offset: inout Int) -> PNGHeader.Parsed {
    switch nextChunk(data, offset: &offset) {
    case .fault(let reason):
      return .fault(reason)
    case .chunk(let type, let body):
      guard type == chunkIHDR else { return .fault(.corrupt("first chunk is \(chunkName(type))")) }
      let parsed = PNGHeader.parse(body)
      if case .header(let info) = parsed, info.width != 28 || info.height != 28 {
        return .fault(.wrongSize(width: info.width, height: info.height))
      }
      return parsed
    }
  }

  /// Resets the zlib stream and makes room for the image's filtered rows.
  private func startImageData(_ info: PNGHeader) -> Bool {
    if raw.count < info.rawByteCount { raw = [UInt8](repeating: 0, count: info.rawByteCount) }
    return prepareStream()
  }

  // MARK: - Inflate

  /// Progress through the zlib stream of the concatenated IDAT chunks.
  private struct Inflater {
    var expected: Int
    var produced = 0
    var isStreamEnded = false
  }

  private func prepareStream() -> Bool {
    if isStreamReady { return inflateReset(stream) == Z_OK }
    isStreamReady = inflateInit_(stream, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK
    return isStreamReady
  }

  private func feed(_ body: UnsafeRawBufferPointer, to state: inout Inflater) -> SkipReason? {
    guard !body.isEmpty else { return nil }
    if state.isStreamEnded { return nil }
    var scratch = (UInt64(0), UInt64(0), UInt64(0), UInt64(0))
    stream.pointee.next_in = UnsafeMutablePointer(
      mutating: body.baseAddress!.assumingMemoryBound(to: UInt8.self))
    stream.pointee.avail_in = uInt(body.count)
    return raw.withUnsafeMutableBufferPointer { rawBuffer in
      withUnsafeMutableBytes(of: &scratch) { scratchBuffer in
        while stream.pointee.avail_in > 0 {
          // Once the image is complete, the rest of the stream is inflated into scratch
          // memory only so that zlib checks the stream's Adler-32 checksum.
          if state.produced < state.expected {
            stream.pointee.next_out = rawBuffer.baseAddress! + state.produced
            stream.pointee.avail_out = uInt(state.expected - state.produced)
          } else {
            stream.pointee.next_out = scratchBuffer.baseAddress!.assumingMemoryBound(
              to: UInt8.self)
            stream.pointee.avail_out = uInt(scratchBuffer.count)
          }
          let before = Int(stream.pointee.avail_out)
          let status = inflate(stream, Z_NO_FLUSH)
          if state.produced < state.expected {
            state.produced += before - Int(stream.pointee.avail_out)
          }
          if status == Z_STREAM_END {
            state.isStreamEnded = true
            return nil
          }
          guard status == Z_OK || status == Z_BUF_ERROR else {
            let message = stream.pointee.msg.map { String(cString: $0) } ?? "status \(status)"
            return .corrupt("zlib: \(message)")
          }
        }
        return nil
      }
    }
  }

  // MARK: - Unfilter and convert

  private func unfilterAndConvert(
    _ info: PNGHeader, paletteCount: Int, into output: UnsafeMutableBufferPointer<UInt8>
  ) -> SkipReason? {
    let passes = info.isInterlaced ? adam7Passes : [Pass(x0: 0, y0: 0, dx: 1, dy: 1)]
    let bytesPerPixel = max(1, info.bitsPerPixel / 8)
    return raw.withUnsafeMutableBufferPointer { buffer -> SkipReason? in
      var rowStart = 0
      for pass in passes {
        let width = pass.width(of: info.width)
        let height = pass.height(of: info.height)
        guard width > 0, height > 0 else { continue }
        let rowBytes = (width * info.bitsPerPixel + 7) / 8
        for y in 0..<height {
          let filter = buffer[rowStart]
          let row = buffer.baseAddress! + rowStart + 1
          let previous: UnsafeMutablePointer<UInt8>? =
            y == 0 ? nil : row - (rowBytes + 1)
          guard
            unfilter(
              row, previous: previous, count: rowBytes, filter: filter,
              bytesPerPixel: bytesPerPixel)
          else { return .corrupt("row filter type \(filter)") }
          let rowOffset = (pass.y0 + y * pass.dy) * 28 + pass.x0
          if info.colorType == 0 && info.bitDepth == 8 && pass.dx == 1 {
            // The common notMNIST case: the row already is the output.
            (output.baseAddress! + rowOffset).update(from: row, count: width)
          } else {
            for x in 0..<width {
              output[rowOffset + x * pass.dx] = gray(
                of: row, x: x, info: info, paletteCount: paletteCount)
            }
          }
          rowStart += rowBytes + 1
        }
      }
      return nil
    }
  }

  /// Reverses one row's PNG filter in place (filter types 0...4; others are invalid).
  private func unfilter(
    _ row: UnsafeMutablePointer<UInt8>, previous: UnsafeMutablePointer<UInt8>?, count: Int,
    filter: UInt8, bytesPerPixel bpp: Int
  ) -> Bool {
    switch filter {
    case 0:
      return true
    case 1:
      for i in bpp..<max(bpp, count) { row[i] &+= row[i - bpp] }
    case 2:
      guard let previous else { return true }
      for i in 0..<count { row[i] &+= previous[i] }
    case 3:
      for i in 0..<count {
        let left = i >= bpp ? Int(row[i - bpp]) : 0
        let up = previous.map { Int($0[i]) } ?? 0
        row[i] &+= UInt8((left + up) / 2)
      }
    case 4:
      for i in 0..<count {
        let left = i >= bpp ? Int(row[i - bpp]) : 0
        let up = previous.map { Int($0[i]) } ?? 0
        let upLeft = i >= bpp ? (previous.map { Int($0[i - bpp]) } ?? 0) : 0
        row[i] &+= paeth(left, up, upLeft)
      }
    default:
      return false
    }
    return true
  }

  private func gray(
    of row: UnsafeMutablePointer<UInt8>, x: Int, info: PNGHeader, paletteCount: Int
  ) -> UInt8 {
    let depth = info.bitDepth
    if depth < 8 {
      let bit = x * depth
      let mask = (1 << depth) - 1
      let value = (Int(row[bit >> 3]) >> (8 - depth - (bit & 7))) & mask
      if info.colorType == 3 { return value < paletteCount ? palette[value] : 0 }
      return UInt8(value * (255 / mask))
    }
    let step = depth / 8
    let base = x * info.channels * step
    switch info.colorType {
    case 0:
      if depth == 8 { return row[base] }
      return UInt8(min(Int(row[base]) << 8 | Int(row[base + 1]), 255))
    case 3:
      let index = Int(row[base])
      return index < paletteCount ? palette[index] : 0
    case 4:
      return row[base]
    default:
      return luma(row[base], row[base + step], row[base + 2 * step])
    }
  }

  private func fillPaletteLuma(_ body: UnsafeRawBufferPointer, count: Int) {
    for i in 0..<count {
      palette[i] = luma(body[3 * i], body[3 * i + 1], body[3 * i + 2])
    }
  }
}

// MARK: - PNG structure

/// The fields of an `IHDR` chunk that decoding needs.
private struct PNGHeader {
  var width: Int
  var height: Int
  var bitDepth: Int
  var colorType: Int
  var isInterlaced: Bool

  var channels: Int {
    switch colorType {
    case 2: return 3
    case 4: return 2
    case 6: return 4
    default: return 1
    }
  }

  var bitsPerPixel: Int { channels * bitDepth }

  /// Bytes of filtered image data the zlib stream must produce (filter bytes included).
  var rawByteCount: Int {
    let passes = isInterlaced ? adam7Passes : [Pass(x0: 0, y0: 0, dx: 1, dy: 1)]
    return passes.reduce(0) { total, pass in
      let w = pass.width(of: width)
      let h = pass.height(of: height)
      guard w > 0, h > 0 else { return total }
      return total + h * (1 + (w * bitsPerPixel + 7) / 8)
    }
  }

  private static let allowedDepths: [Int: [Int]] = [
    0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16],
  ]

  /// Either a valid header or why the `IHDR` chunk is rejected.
  enum Parsed {
    case header(PNGHeader)
    case fault(SkipReason)
  }

  static func parse(_ body: UnsafeRawBufferPointer) -> Parsed {
    guard body.count == 13 else { return .fault(.corrupt("IHDR of \(body.count) bytes")) }
    let width = Int(readUInt32(body, 0))
    let height = Int(readUInt32(body, 4))
    let depth = Int(body[8])
    let colorType = Int(body[9])
    guard width > 0, height > 0, width <= 0x7FFF_FFFF, height <= 0x7FFF_FFFF else {
      return .fault(.corrupt("IHDR size \(width)x\(height)"))
    }
    guard let depths = allowedDepths[colorType] else {
      return .fault(.corrupt("IHDR colour type \(colorType)"))
    }
    guard depths.contains(depth) else {
      return .fault(.corrupt("IHDR bit depth \(depth) for colour type \(colorType)"))
    }
    guard body[10] == 0, body[11] == 0, body[12] <= 1 else {
      return .fault(.corrupt("IHDR method bytes \(body[10]) \(body[11]) \(body[12])"))
    }
    return .header(
      PNGHeader(
        width: width, height: height, bitDepth: depth, colorType: colorType,
        isInterlaced: body[12] == 1))
  }
}

/// One pass of an image's pixel grid: the pixels `(x0 + i dx, y0 + j dy)`.
private struct Pass {
  var x0: Int
  var y0: Int
  var dx: Int
  var dy: Int

  func width(of full: Int) -> Int { full > x0 ? (full - x0 + dx - 1) / dx : 0 }
  func height(of full: Int) -> Int { full > y0 ? (full - y0 + dy - 1) / dy : 0 }
}

/// The seven passes of Adam7 interlacing.
private let adam7Passes = [
  Pass(x0: 0, y0: 0, dx: 8, dy: 8), Pass(x0: 4, y0: 0, dx: 8, dy: 8),
  Pass(x0: 0, y0: 4, dx: 4, dy: 8), Pass(x0: 2, y0: 0, dx: 4, dy: 4),
  Pass(x0: 0, y0: 2, dx: 2, dy: 4), Pass(x0: 1, y0: 0, dx: 2, dy: 2),
  Pass(x0: 0, y0: 1, dx: 1, dy: 2),
]

private let pngSignature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
private let chunkIHDR: UInt32 = 0x4948_4452
private let chunkPLTE: UInt32 = 0x504C_5445
private let chunkIDAT: UInt32 = 0x4944_4154
private let chunkIEND: UInt32 = 0x4945_4E44

private func readUInt32(_ data: UnsafeRawBufferPointer, _ offset: Int) -> UInt32 {
  UInt32(data[offset]) << 24 | UInt32(data[offset + 1]) << 16 | UInt32(data[offset + 2]) << 8
    | UInt32(data[offset + 3])
}

private func chunkName(_ type: UInt32) -> String {
  let bytes = [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: type >> UInt32($0)) }
  guard bytes.allSatisfy({ (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) }) else {
    return "0x" + String(type, radix: 16, uppercase: true)
  }
  return String(decoding: bytes, as: UTF8.self)
}

/// ITU-R 601-2 luma in Pillow's fixed-point form.
@inline(__always)
func luma(_ r: UInt8, _ g: UInt8, _ b: UInt8) -> UInt8 {
  let red = Int(r) * 19595
  let green = Int(g) * 38470
  let blue = Int(b) * 7471
  return UInt8((red + green + blue + 0x8000) >> 16)
}

@inline(__always)
private func paeth(_ a: Int, _ b: Int, _ c: Int) -> UInt8 {
  let p = a + b - c
  let pa = abs(p - a)
  let pb = abs(p - b)
  let pc = abs(p - c)
  if pa <= pb && pa <= pc { return UInt8(a) }
  if pb <= pc { return UInt8(b) }
  return UInt8(c)
}
