/// An axis-aligned rectangle of whole pixels: columns `x ..< x + width`, rows `y ..< y + height`.
///
/// The origin is the top-left corner of the picture; `y` grows downward.
public struct PixelRect: Hashable, Sendable {
  /// Left column.
  public var x: Int
  /// Top row.
  public var y: Int
  /// Width in pixels, >= 0.
  public var width: Int
  /// Height in pixels, >= 0.
  public var height: Int

  /// Creates a rectangle from its top-left corner and size.
  /// - Parameters:
  ///   - x: left column.
  ///   - y: top row.
  ///   - width: width in pixels.
  ///   - height: height in pixels.
  public init(x: Int, y: Int, width: Int, height: Int) {
    self.x = x
    self.y = y
    self.width = width
    self.height = height
  }

  /// One past the right column: `x + width`.
  public var maxX: Int { x + width }
  /// One past the bottom row: `y + height`.
  public var maxY: Int { y + height }
  /// The centre, in continuous pixel coordinates.
  public var center: Point {
    Point(x: Double(x) + Double(width) / 2, y: Double(y) + Double(height) / 2)
  }

  /// Whether the pixel at column `px`, row `py` lies inside.
  /// - Parameters:
  ///   - px: column.
  ///   - py: row.
  /// - Returns: true when the pixel is inside.
  public func contains(x px: Int, y py: Int) -> Bool {
    px >= x && px < maxX && py >= y && py < maxY
  }

  /// The part of `self` that also lies inside `other` (empty, with zero size, if none).
  /// - Parameter other: the clipping rectangle.
  /// - Returns: the overlap.
  public func intersection(_ other: PixelRect) -> PixelRect {
    let left = max(x, other.x)
    let top = max(y, other.y)
    let right = min(maxX, other.maxX)
    let bottom = min(maxY, other.maxY)
    return PixelRect(x: left, y: top, width: max(0, right - left), height: max(0, bottom - top))
  }
}

/// A point in continuous pixel coordinates: pixel `(i, j)` covers `[i, i+1) x [j, j+1)`, so its
/// centre is `(i + 0.5, j + 0.5)`; `y` grows downward.
public struct Point: Hashable, Sendable {
  /// Horizontal position in pixels from the left edge.
  public var x: Double
  /// Vertical position in pixels from the top edge.
  public var y: Double

  /// Creates a point.
  /// - Parameters:
  ///   - x: pixels from the left edge.
  ///   - y: pixels from the top edge.
  public init(x: Double, y: Double) {
    self.x = x
    self.y = y
  }
}
