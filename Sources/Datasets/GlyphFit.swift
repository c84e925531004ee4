/// How a glyph's ink is placed in the square output image.
public enum GlyphFit: String, CaseIterable, Sendable {
  /// The ink bounding box is stretched to fill the whole image on both axes, as in notMNIST:
  /// in the real archives the median ink box is the full 28x28, and a plain sans-serif "I"
  /// becomes a solid white square.
  case stretch
  /// The ink bounding box is scaled uniformly until its longer side fills the image, then
  /// centred on the shorter axis.
  case aspect
}
