import CFreeType

/// Renders letters of one font face into small anti-aliased grayscale images, notMNIST-style.
///
/// Each letter is rendered unhinted by FreeType at an em of `size * oversampling` pixels, its ink
/// bounding box is found (every pixel with non-zero coverage, with sub-pixel edges, see
/// `inkBox`), and that box is resampled to `size x size` by area averaging: each output pixel is
/// the mean coverage of the part of the large bitmap it covers. Rendering large and averaging
/// down gives smoother anti-aliasing than rendering at 28 pixels. The glyph is white (255) on
/// black (0).
///
/// ```
/// out[i][j] = (1 / area) * sum over source pixels p of overlap(p, cell(i, j)) * coverage(p)
/// ```
///
/// - Note: One rasterizer owns one FreeType library handle, which is not thread-safe; use one
///   rasterizer per thread.
public final class GlyphRasterizer {
  /// What rendering a face or a letter gave: the images, or why the face cannot be used.
  public enum Outcome<Value> {
    /// The rendered image or images.
    case rendered(Value)
    /// The face is unusable for this reason.
    case skipped(FontSkipReason)
  }

  /// How many times larger than the output the glyph is rendered before averaging down.
  public let oversampling: Int
  private let library: FT_Library

  /// Starts FreeType.
  /// - Parameter oversampling: render scale relative to the output size; 12 by default, so a
  ///   28-pixel image averages a glyph drawn about 230 pixels tall.
  /// - Throws: `RenderError.freeTypeUnavailable` when `FT_Init_FreeType` fails.
  /// - Precondition: `oversampling` is in 1...32.
  public init(oversampling: Int = 12) throws(RenderError) {
    precondition(
      (1...32).contains(oversampling), "oversampling must be 1...32, got \(oversampling)")
    var handle: FT_Library?
    let error = FT_Init_FreeType(&handle)
    guard error == 0, let handle else { throw .freeTypeUnavailable(code: error) }
    library = handle
    self.oversampling = oversampling
  }

  deinit {
    FT_Done_FreeType(library)
  }

  /// The number of faces in a font file: 1 for most files, more for `.ttc`/`.otc` collections.
  /// - Parameter path: the font file.
  /// - Returns: the face count, or `nil` when FreeType cannot open the file as a font.
  public func faceCount(atPath path: String) -> Int? {
    var face: FT_Face?
    guard FT_New_Face(library, path, 0, &face) == 0, let face else { return nil }
    defer { FT_Done_Face(face) }
    return max(1, Int(face.pointee.num_faces))
  }

  /// The number of named instances of a variable font face (its predefined styles such as
  /// Light or Bold); 0 for a face that is not variable.
  /// - Parameters:
  ///   - path: the font file.
  ///   - faceIndex: which face of a collection.
  /// - Returns: the count FreeType reports, 0 when the face cannot be opened.
  public func namedInstanceCount(atPath path: String, faceIndex: Int) -> Int {
    var face: FT_Face?
    guard FT_New_Face(library, path, faceIndex, &face) == 0, let face else { return 0 }
    defer { FT_Done_Face(face) }
    return Int(face.pointee.style_flags >> 16)
  }

  /// Renders the given letters of one face.
  ///
  /// - Parameters:
  ///   - path: the font file.
  ///   - faceIndex: which face of a collection; 0 for a single-face file.
  ///   - instance: which named instance of a variable face, 1-based; 0 (the default) renders
  ///     the face's default design.
  ///   - letters: the characters to render, in output order.
  ///   - size: side of each square output image in pixels.
  ///   - fit: how the ink box is placed in the image.
  /// - Returns: one `size * size` image per letter (row-major, 8-bit), or the reason the face
  ///   cannot be used. `sameImageForLetters` and `duplicateFace` are left to the caller.
  /// - Precondition: `size` is in 1...1024.
  public func render(
    path: String, faceIndex: Int, instance: Int = 0, letters: [Character], size: Int,
    fit: GlyphFit
  ) -> Outcome<[[UInt8]]> {
    precondition((1...1024).contains(size), "image size must be 1...1024, got \(size)")
    precondition(
      (0..<0x8000).contains(instance), "named instance must be 0..<32768, got \(instance)")
    // FreeType selects a named instance through bits 16-30 of the face index.
    let index = instance << 16 | faceIndex
    var opened: FT_Face?
    guard FT_New_Face(library, path, index, &opened) == 0, let face = opened else {
      return .skipped(.renderFailed)
    }
    defer { FT_Done_Face(face) }

    guard face.pointee.face_flags & FT_Long(FT_FACE_FLAG_SCALABLE) != 0 else {
      return .skipped(.notScalable)
    }
    guard FT_Set_Pixel_Sizes(face, 0, FT_UInt(size * oversampling)) == 0 else {
      return .skipped(.renderFailed)
    }

    var images: [[UInt8]] = []
    for letter in letters {
      switch renderLetter(letter, face: face, size: size, fit: fit) {
      case .rendered(let image): images.append(image)
      case .skipped(let reason): return .skipped(reason)
      }
    }
    return .rendered(images)
  }

  /// Loads, renders and resamples one letter of a sized face.
  private func renderLetter(
    _ letter: Character, face: FT_Face, size: Int, fit: GlyphFit
  ) -> Outcome<[UInt8]> {
    guard let scalar = letter.unicodeScalars.first else { return .skipped(.missingLetter) }
    let glyphIndex = FT_Get_Char_Index(face, FT_ULong(scalar.value))
    guard glyphIndex != 0 else { return .skipped(.missingLetter) }

    // Hinting snaps outlines to the large render grid, which only distorts the shape that
    // averaging then shrinks; embedded bitmaps would bypass the outline entirely.
    let flags = FT_Int32(FT_LOAD_NO_HINTING | FT_LOAD_NO_BITMAP)
    guard FT_Load_Glyph(face, glyphIndex, flags) == 0, let slot = face.pointee.glyph else {
      return .skipped(.renderFailed)
    }
    guard slot.pointee.format == FT_GLYPH_FORMAT_OUTLINE, slot.pointee.outline.n_contours > 0
    else { return .skipped(.emptyGlyph) }
    guard FT_Render_Glyph(slot, FT_RENDER_MODE_NORMAL) == 0 else { return .skipped(.renderFailed) }

    let bitmap = slot.pointee.bitmap
    guard bitmap.pixel_mode == UInt8(FT_PIXEL_MODE_GRAY.rawValue), let buffer = bitmap.buffer
    else { return .skipped(.renderFailed) }
    let coverage = GrayBitmap(
      width: Int(bitmap.width), height: Int(bitmap.rows), pitch: Int(bitmap.pitch),
      buffer: buffer)
    guard let ink = coverage.inkBox() else { return .skipped(.emptyGlyph) }
    return .rendered(coverage.resample(ink, fit: fit, size: size))
  }
}

/// A borrowed view of FreeType's rendered 8-bit coverage bitmap.
private struct GrayBitmap {
  let width: Int
  let height: Int
  let pitch: Int
  let buffer: UnsafeMutablePointer<UInt8>

  /// The coverage at column `x`, row `y` (row 0 at the top).
  func value(_ x: Int, _ y: Int) -> UInt8 {
    // A negative pitch means FreeType stored the rows bottom-up.
    let row = pitch >= 0 ? y : height - 1 - y
    return buffer[row * abs(pitch) + x]
  }

  /// The ink bounding box in pixel units, or `nil` for a blank bitmap.
  ///
  /// The whole-pixel box holds every pixel with non-zero coverage; each edge is then moved
  /// inwards by the part of its outermost row or column the ink does not cover, estimated as
  /// `1 - maxCoverage / 255`. A stem whose edge falls mid-pixel thus maps exactly onto the
  /// image border instead of leaving a faint fringe.
  func inkBox() -> (x0: Double, y0: Double, x1: Double, y1: Double)? {
    var x0 = width
    var y0 = height
    var x1 = -1
    var y1 = -1
    for y in 0..<height {
      for x in 0..<width where value(x, y) != 0 {
        x0 = min(x0, x)
        x1 = max(x1, x)
        y0 = min(y0, y)
        y1 = max(y1, y)
      }
    }
    guard x1 >= 0 else { return nil }

    func columnPeak(_ x: Int) -> Double {
      Double((y0...y1).map { value(x, $0) }.max() ?? 0) / 255
    }
    func rowPeak(_ y: Int) -> Double {
      Double((x0...x1).map { value($0, y) }.max() ?? 0) / 255
    }
    return (
      Double(x0) + 1 - columnPeak(x0), Double(y0) + 1 - rowPeak(y0),
      Double(x1) + columnPeak(x1), Double(y1) + rowPeak(y1)
    )
  }

  /// Averages the ink box down (or up) to a `size x size` image.
  func resample(
    _ box: (x0: Double, y0: Double, x1: Double, y1: Double), fit: GlyphFit, size: Int
  ) -> [UInt8] {
    var left = box.x0
    var top = box.y0
    var boxWidth = box.x1 - box.x0
    var boxHeight = box.y1 - box.y0
    if fit == .aspect {
      // Grow the shorter side into a square around the centre; the added area is blank.
      let side = max(boxWidth, boxHeight)
      left -= (side - boxWidth) / 2
      top -= (side - boxHeight) / 2
      boxWidth = side
      boxHeight = side
    }

    let columns = Self.weights(start: left, length: boxWidth, count: size, limit: width)
    let rows = Self.weights(start: top, length: boxHeight, count: size, limit: height)
    let cellArea = (boxWidth / Double(size)) * (boxHeight / Double(size))
    var output = [UInt8](repeating: 0, count: size * size)
    for (i, rowWeights) in rows.enumerated() {
      for (j, columnWeights) in columns.enumerated() {
        var sum = 0.0
        for (y, wy) in rowWeights {
          for (x, wx) in columnWeights {
            sum += wy * wx * Double(value(x, y))
          }
        }
        output[i * size + j] = UInt8(min(255, max(0, (sum / cellArea).rounded())))
      }
    }
    return output
  }

  /// The source pixels each output cell overlaps along one axis, with the overlap lengths.
  ///
  /// Cell `k` of `count` spans `[start + k * length / count, start + (k + 1) * length / count)`.
  /// Pixels outside `0..<limit` are blank and left out.
  static func weights(start: Double, length: Double, count: Int, limit: Int) -> [[(Int, Double)]] {
    let step = length / Double(count)
    return (0..<count).map { k in
      let from = start + Double(k) * step
      let to = from + step
      let first = max(0, Int(from.rounded(.down)))
      let last = min(limit - 1, Int(to.rounded(.up)) - 1)
      guard first <= last else { return [] }
      return (first...last).compactMap { pixel in
        let overlap = min(Double(pixel + 1), to) - max(Double(pixel), from)
        return overlap > 0 ? (pixel, overlap) : nil
      }
    }
  }
}
