/// Where a text's anchor point lies along its reading direction.
public enum HorizontalAlignment: Hashable, Sendable {
  /// The anchor is at the start of the text.
  case left
  /// The anchor is at the middle of the text.
  case center
  /// The anchor is at the end of the text.
  case right
}

/// Where a text's anchor point lies across its reading direction.
public enum VerticalAlignment: Hashable, Sendable {
  /// The anchor is at the top of the line (the font's ascender).
  case top
  /// The anchor is halfway between the top and the bottom of the line.
  case middle
  /// The anchor is on the baseline.
  case baseline
  /// The anchor is at the bottom of the line (the font's descender).
  case bottom
}

/// The direction text reads in.
public enum TextRotation: Hashable, Sendable {
  /// Left to right.
  case none
  /// Bottom to top (turned 90° counter-clockwise), as y-axis titles are.
  case counterClockwise
}

extension Canvas {
  /// Draws one line of anti-aliased text rasterized by FreeType.
  ///
  /// The anchor `point` is placed at the spot of the line that `horizontal` and `vertical` name,
  /// measured in the text's own frame before rotation: for `.counterClockwise` text, `.top` is
  /// the text's left side on the canvas and `.left` its lower end.
  /// - Parameters:
  ///   - text: one line of text.
  ///   - point: the anchor, in continuous pixel coordinates (rounded to whole pixels).
  ///   - font: the font to rasterize with.
  ///   - size: the em size in pixels; 12 or more stays legible at 100% zoom.
  ///   - color: the text colour.
  ///   - horizontal: the anchor's position along the text; `.left` by default.
  ///   - vertical: the anchor's position across the text; `.baseline` by default.
  ///   - rotation: `.none` (default) or `.counterClockwise`.
  /// - Returns: the rectangle the text's line box covers on the canvas (possibly partly outside).
  @discardableResult
  public mutating func drawText(
    _ text: String, at point: Point, font: Font, size: Int, color: RGBColor,
    horizontal: HorizontalAlignment = .left, vertical: VerticalAlignment = .baseline,
    rotation: TextRotation = .none
  ) -> PixelRect {
    let bitmap = font.rasterize(text, size: size)
    let ax: Int
    switch horizontal {
    case .left: ax = 0
    case .center: ax = bitmap.width / 2
    case .right: ax = bitmap.width
    }
    let ay: Int
    switch vertical {
    case .top: ay = 0
    case .middle: ay = bitmap.height / 2
    case .baseline: ay = bitmap.baseline
    case .bottom: ay = bitmap.height
    }
    let px = Int(point.x.rounded())
    let py = Int(point.y.rounded())

    switch rotation {
    case .none:
      let origin = (x: px - ax, y: py - ay)
      blendMask(bitmap, color: color) { u, v in (origin.x + u, origin.y + v) }
      return PixelRect(x: origin.x, y: origin.y, width: bitmap.width, height: bitmap.height)
    case .counterClockwise:
      // Text column u runs up the canvas and text row v runs right.
      let origin = (x: px - ay, y: py + ax)
      blendMask(bitmap, color: color) { u, v in (origin.x + v, origin.y - u - 1) }
      return PixelRect(
        x: origin.x, y: origin.y - bitmap.width, width: bitmap.height, height: bitmap.width)
    }
  }

  /// Blends `color` through the coverage mask, placing mask pixel (column u, row v) at the
  /// canvas pixel `place(u, v)`; pixels off the canvas are skipped.
  private mutating func blendMask(
    _ bitmap: TextBitmap, color: RGBColor, place: (Int, Int) -> (Int, Int)
  ) {
    for v in 0..<bitmap.height {
      for u in 0..<bitmap.width {
        let value = bitmap.coverage[v * bitmap.width + u]
        guard value > 0 else { continue }
        let (x, y) = place(u, v)
        blend(x: x, y: y, color: color, alpha: Double(value) / 255)
      }
    }
  }
}
