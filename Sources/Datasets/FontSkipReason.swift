/// Why a font face was left out of a rendered dataset.
///
/// The renderer never drops a face silently: each skipped face is counted under one reason.
public enum FontSkipReason: String, CaseIterable, Sendable, Comparable, CustomStringConvertible {
  /// The face has no scalable outlines (a bitmap-only font such as PCF or OTB).
  case notScalable = "not scalable"
  /// The face has no glyph for a requested letter (`FT_Get_Char_Index` returned 0).
  case missingLetter = "missing letter"
  /// A requested letter maps to a glyph that draws nothing (an empty outline).
  case emptyGlyph = "empty glyph"
  /// Two different letters render to the same image, as in symbol and dingbat fonts.
  case sameImageForLetters = "same image for different letters"
  /// Every image equals that of a face rendered earlier (the same design in another file).
  case duplicateFace = "duplicate face"
  /// FreeType reported an error while sizing, loading or rendering a glyph.
  case renderFailed = "render failed"

  /// The reason in words, as the summary prints it.
  public var description: String { rawValue }

  /// Orders reasons as they are declared, so summaries list them in a fixed order.
  public static func < (lhs: FontSkipReason, rhs: FontSkipReason) -> Bool {
    let order = allCases
    return order.firstIndex(of: lhs) ?? 0 < order.firstIndex(of: rhs) ?? 0
  }
}
