import Foundation

/// An RGB picture in memory that charts draw into: rectangles, anti-aliased lines and dots,
/// FreeType text, and grayscale images scaled up with a colour map.
///
/// Pixels are stored row-major, three bytes per pixel (R, G, B), top row first:
/// `pixels[3 * (y * width + x) + c]`. Drawing outside the canvas is clipped. Anti-aliased
/// drawing blends each pixel toward the colour by its coverage `a` in 0...1:
/// `p' = p + (color - p) * a`.
public struct Canvas: Hashable, Sendable {
  /// Width in pixels.
  public let width: Int
  /// Height in pixels.
  public let height: Int
  /// `[height, width, 3]` RGB bytes, row-major.
  public private(set) var pixels: [UInt8]

  /// Creates a canvas filled with one colour.
  /// - Parameters:
  ///   - width: width in pixels, >= 1.
  ///   - height: height in pixels, >= 1.
  ///   - background: the fill colour; white by default.
  /// - Precondition: both sizes are at least 1 and at most 16384.
  public init(width: Int, height: Int, background: RGBColor = .white) {
    precondition(
      (1...16384).contains(width) && (1...16384).contains(height),
      "Canvas size must be 1...16384 on each side, got \(width)x\(height)")
    self.width = width
    self.height = height
    pixels = [UInt8](repeating: background.red, count: 3 * width * height)
    if background.green != background.red || background.blue != background.red {
      fill(bounds, with: background)
    }
  }

  /// The whole canvas as a rectangle.
  public var bounds: PixelRect { PixelRect(x: 0, y: 0, width: width, height: height) }

  /// The colour of the pixel at column `x`, row `y`.
  /// - Precondition: the pixel lies on the canvas.
  public subscript(x: Int, y: Int) -> RGBColor {
    get {
      precondition(
        bounds.contains(x: x, y: y), "pixel (\(x), \(y)) is outside the \(width)x\(height) canvas")
      let offset = 3 * (y * width + x)
      return RGBColor(red: pixels[offset], green: pixels[offset + 1], blue: pixels[offset + 2])
    }
    set {
      precondition(
        bounds.contains(x: x, y: y), "pixel (\(x), \(y)) is outside the \(width)x\(height) canvas")
      let offset = 3 * (y * width + x)
      pixels[offset] = newValue.red
      pixels[offset + 1] = newValue.green
      pixels[offset + 2] = newValue.blue
    }
  }

  // MARK: - Rectangles

  /// Fills `rect` (clipped to the canvas) with `color`.
  /// - Parameters:
  ///   - rect: the pixels to paint.
  ///   - color: the fill colour.
  public mutating func fill(_ rect: PixelRect, with color: RGBColor) {
    let clipped = rect.intersection(bounds)
    guard clipped.width > 0, clipped.height > 0 else { return }
    let width = self.width
    pixels.withUnsafeMutableBufferPointer { buffer in
      for y in clipped.y..<clipped.maxY {
        var offset = 3 * (y * width + clipped.x)
        for _ in 0..<clipped.width {
          buffer[offset] = color.red
          buffer[offset + 1] = color.green
          buffer[offset + 2] = color.blue
          offset += 3
        }
      }
    }
  }

  /// Draws the outline of `rect`, `lineWidth` pixels thick, inside the rectangle.
  /// - Parameters:
  ///   - rect: the rectangle whose border to draw.
  ///   - color: the line colour.
  ///   - lineWidth: border thickness in pixels; 1 by default.
  public mutating func stroke(_ rect: PixelRect, with color: RGBColor, lineWidth: Int = 1) {
    let t = min(lineWidth, rect.width, rect.height)
    guard t > 0 else { return }
    fill(PixelRect(x: rect.x, y: rect.y, width: rect.width, height: t), with: color)
    fill(PixelRect(x: rect.x, y: rect.maxY - t, width: rect.width, height: t), with: color)
    fill(PixelRect(x: rect.x, y: rect.y, width: t, height: rect.height), with: color)
    fill(PixelRect(x: rect.maxX - t, y: rect.y, width: t, height: rect.height), with: color)
  }

  // MARK: - Anti-aliased shapes

  /// Blends `color` into one pixel with coverage `alpha`: `p' = p + (color - p) * alpha`.
  /// - Parameters:
  ///   - x: column; outside the canvas does nothing.
  ///   - y: row; outside the canvas does nothing.
  ///   - color: the colour blended in.
  ///   - alpha: coverage in 0...1 (clamped).
  public mutating func blend(x: Int, y: Int, color: RGBColor, alpha: Double) {
    guard bounds.contains(x: x, y: y), alpha > 0 else { return }
    self[x, y] = self[x, y].mixed(with: color, fraction: alpha)
  }

  /// Draws a straight anti-aliased line with round ends.
  ///
  /// A pixel's coverage is `clamp(lineWidth / 2 + 0.5 - d, 0, 1)`, where `d` is the distance from
  /// the pixel's centre to the segment.
  /// - Parameters:
  ///   - start: one end, in continuous pixel coordinates.
  ///   - end: the other end.
  ///   - color: the line colour.
  ///   - lineWidth: thickness in pixels; 1.5 by default.
  public mutating func drawLine(
    from start: Point, to end: Point, color: RGBColor, lineWidth: Double = 1.5
  ) {
    drawPolyline([start, end], color: color, lineWidth: lineWidth)
  }

  /// Draws connected anti-aliased segments through `points` with round joins.
  ///
  /// Coverage is the largest of the segments' coverages at each pixel, so joints are not
  /// painted twice. One point draws a dot of diameter `lineWidth`.
  /// - Parameters:
  ///   - points: the vertices in order; empty draws nothing.
  ///   - color: the line colour.
  ///   - lineWidth: thickness in pixels; 1.5 by default.
  /// - Precondition: every coordinate is finite.
  public mutating func drawPolyline(_ points: [Point], color: RGBColor, lineWidth: Double = 1.5) {
    precondition(
      points.allSatisfy { $0.x.isFinite && $0.y.isFinite },
      "drawPolyline needs finite coordinates, got \(points)")
    // Note: Coordinates are clamped to a million pixels off the canvas so the integer bounds
    // cannot overflow; only lines from points farther out than that change their slope.
    let points = points.map { Point(x: min(max($0.x, -1e6), 1e6), y: min(max($0.y, -1e6), 1e6)) }
    guard let first = points.first else { return }
    let reach = lineWidth / 2 + 0.5
    var (minX, maxX, minY, maxY) = (first.x, first.x, first.y, first.y)
    for point in points {
      (minX, maxX) = (min(minX, point.x), max(maxX, point.x))
      (minY, maxY) = (min(minY, point.y), max(maxY, point.y))
    }
    let left = Int((minX - reach).rounded(.down))
    let top = Int((minY - reach).rounded(.down))
    let box = PixelRect(
      x: left, y: top, width: Int((maxX + reach).rounded(.up)) - left + 1,
      height: Int((maxY + reach).rounded(.up)) - top + 1
    ).intersection(bounds)
    guard box.width > 0, box.height > 0 else { return }

    var coverage = [Float](repeating: 0, count: box.width * box.height)
    let segments = points.count == 1 ? [(first, first)] : Array(zip(points, points.dropFirst()))
    for (a, b) in segments {
      Canvas.accumulateSegment(a, b, reach: reach, box: box, into: &coverage)
    }
    blend(coverage: coverage, in: box, color: color)
  }

  /// Fills a disc with an anti-aliased edge.
  /// - Parameters:
  ///   - center: the centre, in continuous pixel coordinates.
  ///   - radius: the radius in pixels.
  ///   - color: the fill colour.
  public mutating func fillCircle(center: Point, radius: Double, color: RGBColor) {
    drawPolyline([center], color: color, lineWidth: 2 * radius)
  }

  /// Raises `coverage` over `box` to each pixel's coverage by the segment from `a` to `b`.
  private static func accumulateSegment(
    _ a: Point, _ b: Point, reach: Double, box: PixelRect, into coverage: inout [Float]
  ) {
    let segment = PixelRect(
      x: Int((min(a.x, b.x) - reach).rounded(.down)),
      y: Int((min(a.y, b.y) - reach).rounded(.down)),
      width: Int((abs(a.x - b.x) + 2 * reach).rounded(.up)) + 2,
      height: Int((abs(a.y - b.y) + 2 * reach).rounded(.up)) + 2
    ).intersection(box)
    guard segment.width > 0, segment.height > 0 else { return }
    let dx = b.x - a.x
    let dy = b.y - a.y
    let lengthSquared = dx * dx + dy * dy
    coverage.withUnsafeMutableBufferPointer { buffer in
      for py in segment.y..<segment.maxY {
        let cy = Double(py) + 0.5
        for px in segment.x..<segment.maxX {
          let cx = Double(px) + 0.5
          // Project the pixel centre onto the segment, clamped to its ends (round caps).
          var t = lengthSquared > 0 ? ((cx - a.x) * dx + (cy - a.y) * dy) / lengthSquared : 0
          t = min(max(t, 0), 1)
          let ex = cx - (a.x + t * dx)
          let ey = cy - (a.y + t * dy)
          let value = Float(min(max(reach - (ex * ex + ey * ey).squareRoot(), 0), 1))
          let index = (py - box.y) * box.width + (px - box.x)
          if value > buffer[index] { buffer[index] = value }
        }
      }
    }
  }

  /// Blends `color` over `box` with per-pixel `coverage` (`[box.height, box.width]`, 0...1).
  mutating func blend(coverage: [Float], in box: PixelRect, color: RGBColor) {
    let width = self.width
    let target = [Float(color.red), Float(color.green), Float(color.blue)]
    pixels.withUnsafeMutableBufferPointer { buffer in
      for row in 0..<box.height {
        for column in 0..<box.width {
          let a = coverage[row * box.width + column]
          guard a > 0 else { continue }
          let offset = 3 * ((box.y + row) * width + box.x + column)
          for c in 0..<3 {
            let p = Float(buffer[offset + c])
            buffer[offset + c] = UInt8((p + (target[c] - p) * a).rounded())
          }
        }
      }
    }
  }

  // MARK: - Images

  /// Draws a grayscale image, each source pixel as a `scale` x `scale` block (nearest neighbour),
  /// coloured through `colorMap` (`colorMap.color(at: v / 255)`).
  ///
  /// The drawn area is `PixelRect(x: x, y: y, width: imageWidth * scale,
  /// height: imageHeight * scale)`, clipped to the canvas.
  /// - Parameters:
  ///   - gray: `[imageHeight, imageWidth]` bytes, row-major.
  ///   - imageWidth: source width in pixels.
  ///   - imageHeight: source height in pixels.
  ///   - x: left column of the drawn image.
  ///   - y: top row of the drawn image.
  ///   - scale: the integer magnification, >= 1.
  ///   - colorMap: maps byte values to colours; `.grays` shows the bytes as stored.
  /// - Precondition: `gray.count == imageWidth * imageHeight` and `scale >= 1`.
  public mutating func drawImage(
    gray: [UInt8], imageWidth: Int, imageHeight: Int, x: Int, y: Int, scale: Int,
    colorMap: ColorMap = .grays
  ) {
    precondition(
      gray.count == imageWidth * imageHeight,
      "image has \(gray.count) bytes, expected \(imageWidth)x\(imageHeight) = "
        + "\(imageWidth * imageHeight)")
    precondition(scale >= 1, "image scale must be >= 1, got \(scale)")
    let table = colorMap.lookupTable
    let area = PixelRect(x: x, y: y, width: imageWidth * scale, height: imageHeight * scale)
      .intersection(bounds)
    guard area.width > 0, area.height > 0 else { return }
    let width = self.width
    pixels.withUnsafeMutableBufferPointer { buffer in
      for py in area.y..<area.maxY {
        let sourceRow = (py - y) / scale
        for px in area.x..<area.maxX {
          let color = table[Int(gray[sourceRow * imageWidth + (px - x) / scale])]
          let offset = 3 * (py * width + px)
          buffer[offset] = color.red
          buffer[offset + 1] = color.green
          buffer[offset + 2] = color.blue
        }
      }
    }
  }

  /// Copies `other` onto this canvas with its top-left corner at (`x`, `y`), clipped.
  /// - Parameters:
  ///   - other: the canvas to copy.
  ///   - x: left column of the copy.
  ///   - y: top row of the copy.
  public mutating func draw(_ other: Canvas, x: Int, y: Int) {
    let area = PixelRect(x: x, y: y, width: other.width, height: other.height)
      .intersection(bounds)
    guard area.width > 0 else { return }
    for py in area.y..<area.maxY {
      let source = 3 * ((py - y) * other.width + (area.x - x))
      let target = 3 * (py * width + area.x)
      pixels.replaceSubrange(
        target..<(target + 3 * area.width), with: other.pixels[source..<(source + 3 * area.width)])
    }
  }
}
