import CFreeType

/// A TrueType font opened with FreeType, which rasterizes single lines of text as anti-aliased
/// coverage masks for ``Canvas/drawText(_:at:font:size:color:horizontal:vertical:rotation:)``.
///
/// Sizes are in pixels (the em height, as `FT_Set_Pixel_Sizes` takes it); glyphs are hinted and
/// placed at whole-pixel advances so small text stays crisp. Pair kerning from the font's `kern`
/// table is applied when the font has one.
///
/// - Note: A `Font` owns a FreeType library and face, which are not thread-safe, so it is a
///   class that is not `Sendable`: load one per thread or per picture.
public final class Font {
  /// The font file this font was loaded from.
  public let path: String
  private let library: FT_Library
  private let face: FT_Face

  /// Opens the font file at `path`.
  /// - Parameter path: a TrueType or OpenType font file.
  /// - Throws: ``PicturesError/fontUnreadable(path:operation:code:)`` when FreeType cannot open
  ///   it.
  public init(path: String) throws(PicturesError) {
    var library: FT_Library?
    let initError = FT_Init_FreeType(&library)
    guard initError == 0, let library else {
      throw PicturesError.fontUnreadable(path: path, operation: "FT_Init_FreeType", code: initError)
    }
    var face: FT_Face?
    let faceError = FT_New_Face(library, path, 0, &face)
    guard faceError == 0, let face else {
      FT_Done_FreeType(library)
      throw PicturesError.fontUnreadable(path: path, operation: "FT_New_Face", code: faceError)
    }
    self.path = path
    self.library = library
    self.face = face
  }

  deinit {
    FT_Done_Face(face)
    FT_Done_FreeType(library)
  }

  /// Loads the standard font: DejaVu Sans, found by
  /// ``FontLocator/locate(candidates:searchDirectories:)``.
  /// - Throws: ``PicturesError/fontNotFound(searched:)`` when no font file is installed, or
  ///   ``PicturesError/fontUnreadable(path:operation:code:)`` when the one found is broken.
  public static func standard() throws(PicturesError) -> Font {
    try Font(path: FontLocator.locate())
  }

  /// The size of `text` set on one line at `size` pixels.
  /// - Parameters:
  ///   - text: one line of text (a line break is drawn as the font's missing-glyph box).
  ///   - size: the em size in pixels, >= 1.
  /// - Returns: the line's width, ascent and descent.
  public func measure(_ text: String, size: Int) -> TextMetrics {
    let line = lineMetrics(size: size)
    let layout = self.layout(text, size: size, render: false)
    return TextMetrics(width: layout.width, ascent: line.ascent, descent: line.descent)
  }

  /// Rasterizes `text` on one line: a coverage mask whose row `ascent` is the baseline.
  func rasterize(_ text: String, size: Int) -> TextBitmap {
    let line = lineMetrics(size: size)
    let layout = self.layout(text, size: size, render: true)
    let height = line.ascent + line.descent
    var coverage = [UInt8](repeating: 0, count: layout.width * height)
    for glyph in layout.glyphs {
      for row in 0..<glyph.rows {
        let y = line.ascent - glyph.top + row
        guard y >= 0, y < height else { continue }
        for column in 0..<glyph.columns {
          let x = glyph.left + column
          guard x >= 0, x < layout.width else { continue }
          let value = glyph.coverage[row * glyph.columns + column]
          let index = y * layout.width + x
          coverage[index] = max(coverage[index], value)
        }
      }
    }
    return TextBitmap(
      width: layout.width, height: height, baseline: line.ascent, coverage: coverage)
  }

  // MARK: - FreeType

  /// One rendered glyph placed on the line: its bitmap's left column and top row above the
  /// baseline, in pixels.
  private struct PlacedGlyph {
    var left: Int
    var top: Int
    var columns: Int
    var rows: Int
    var coverage: [UInt8]
  }

  /// The ascent and descent of a line at `size` pixels, rounded up to whole pixels.
  private func lineMetrics(size: Int) -> (ascent: Int, descent: Int) {
    setSize(size)
    let metrics = face.pointee.size.pointee.metrics
    let ascent = (Int(metrics.ascender) + 63) / 64
    let descent = (Int(-metrics.descender) + 63) / 64
    return (ascent, descent)
  }

  private func setSize(_ size: Int) {
    precondition(size >= 1 && size <= 1000, "font size must be 1...1000 px, got \(size)")
    // Fixed-size bitmap fonts reject sizes they lack; the mask then keeps the previous size.
    _ = FT_Set_Pixel_Sizes(face, 0, UInt32(size))
  }

  /// Places each glyph of `text` on a baseline starting at x = 0; returns the line's width
  /// (covering every advance and every bitmap) and, when `render`, the glyph bitmaps.
  private func layout(_ text: String, size: Int, render: Bool) -> (
    width: Int, glyphs: [PlacedGlyph]
  ) {
    setSize(size)
    let hasKerning = (face.pointee.face_flags & FT_FACE_FLAG_KERNING) != 0
    let flags = render ? Int32(FT_LOAD_RENDER) : Int32(FT_LOAD_DEFAULT)
    var pen = 0
    var minX = 0
    var maxX = 0
    var previous: UInt32 = 0
    var glyphs: [PlacedGlyph] = []
    for scalar in text.unicodeScalars {
      let index = FT_Get_Char_Index(face, FT_ULong(scalar.value))
      if hasKerning, previous != 0, index != 0 {
        var delta = FT_Vector(x: 0, y: 0)
        if FT_Get_Kerning(face, previous, index, UInt32(FT_KERNING_DEFAULT.rawValue), &delta) == 0 {
          pen += Int(delta.x) / 64
        }
      }
      previous = index
      guard FT_Load_Glyph(face, index, flags) == 0 else { continue }
      let slot = face.pointee.glyph.pointee
      if render, let placed = copyBitmap(slot, pen: pen) {
        minX = min(minX, placed.left)
        maxX = max(maxX, placed.left + placed.columns)
        glyphs.append(placed)
      }
      pen += (Int(slot.advance.x) + 32) / 64
      maxX = max(maxX, pen)
    }
    // Shift everything right when the first glyph overhangs the pen's start.
    for i in glyphs.indices { glyphs[i].left -= minX }
    return (maxX - minX, glyphs)
  }

  /// Copies the rendered 8-bit gray bitmap of `slot` placed at `pen`; nil for blank glyphs.
  private func copyBitmap(_ slot: FT_GlyphSlotRec, pen: Int) -> PlacedGlyph? {
    let bitmap = slot.bitmap
    let rows = Int(bitmap.rows)
    let columns = Int(bitmap.width)
    guard rows > 0, columns > 0, let buffer = bitmap.buffer,
      bitmap.pixel_mode == UInt8(FT_PIXEL_MODE_GRAY.rawValue)
    else { return nil }
    let pitch = Int(bitmap.pitch)
    var coverage = [UInt8](repeating: 0, count: rows * columns)
    for row in 0..<rows {
      // A negative pitch means the rows are stored bottom-up.
      let start = pitch >= 0 ? row * pitch : (rows - 1 - row) * -pitch
      for column in 0..<columns { coverage[row * columns + column] = buffer[start + column] }
    }
    return PlacedGlyph(
      left: pen + Int(slot.bitmap_left), top: Int(slot.bitmap_top), columns: columns, rows: rows,
      coverage: coverage)
  }
}

/// The size of a line of text in pixels.
public struct TextMetrics: Hashable, Sendable {
  /// Horizontal extent, covering every glyph's advance and ink.
  public var width: Int
  /// Pixels from the top of the line to the baseline (the font's ascender).
  public var ascent: Int
  /// Pixels from the baseline to the bottom of the line (the font's descender).
  public var descent: Int
  /// The line height: `ascent + descent`.
  public var height: Int { ascent + descent }
}

/// A rasterized line of text: `[height, width]` coverage bytes, 255 = fully inked, with the
/// baseline at row `baseline`.
struct TextBitmap {
  var width: Int
  var height: Int
  var baseline: Int
  var coverage: [UInt8]
}
