/// A colour scale: maps a value in 0...1 to a colour by linear interpolation between stops.
///
/// With `n` evenly spaced stops `c[0] ... c[n-1]`, a value `t` maps to
/// `c[i] + (c[i+1] - c[i]) * (t * (n - 1) - i)` where `i = floor(t * (n - 1))`; values outside
/// 0...1 are clamped and NaN maps to the first stop.
public struct ColorMap: Hashable, Sendable {
  /// The colours at evenly spaced positions from 0 to 1; at least two.
  public let stops: [RGBColor]

  /// Creates a colour map through `stops`, evenly spaced from 0 to 1.
  /// - Parameter stops: at least two colours.
  /// - Precondition: `stops.count >= 2`.
  public init(stops: [RGBColor]) {
    precondition(stops.count >= 2, "ColorMap needs at least 2 stops, got \(stops.count)")
    self.stops = stops
  }

  /// Black at 0 to white at 1: a notMNIST glyph (bright on dark) shown as stored.
  public static let grays = ColorMap(stops: [.black, .white])

  /// White at 0 to black at 1: a glyph shown as dark ink on paper.
  public static let inverseGrays = ColorMap(stops: [.white, .black])

  /// ColorBrewer's sequential "Blues" (as in matplotlib): near-white at 0 to dark blue at 1.
  public static let blues = ColorMap(
    stops: [
      0xF7FBFF, 0xDEEBF7, 0xC6DBEF, 0x9ECAE1, 0x6BAED6, 0x4292C6, 0x2171B5, 0x08519C, 0x08306B,
    ]
    .map { RGBColor(hex: $0) })

  /// matplotlib's perceptually uniform "viridis", sampled at ten stops.
  public static let viridis = ColorMap(
    stops: [
      0x440154, 0x482878, 0x3E4989, 0x31688E, 0x26828E, 0x1F9E89, 0x35B779, 0x6ECE58, 0xB5DE2B,
      0xFDE725,
    ].map { RGBColor(hex: $0) })

  /// The colour at `value`, clamped to 0...1.
  /// - Parameter value: the position on the scale; NaN gives the first stop.
  /// - Returns: the interpolated colour.
  public func color(at value: Double) -> RGBColor {
    guard value > 0 else { return stops[0] }
    guard value < 1 else { return stops[stops.count - 1] }
    let position = value * Double(stops.count - 1)
    let index = Int(position)
    return stops[index].mixed(with: stops[index + 1], fraction: position - Double(index))
  }

  /// The 256 colours for byte values 0...255 (`color(at: v / 255)`), for blitting images.
  public var lookupTable: [RGBColor] {
    (0...255).map { color(at: Double($0) / 255) }
  }
}
